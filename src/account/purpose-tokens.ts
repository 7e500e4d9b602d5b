import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Clock } from '../clock/clock';
import type { BaseAppSettings } from '../config/base-app-settings';
import { InvalidAccountTokenError } from '../errors/security-errors';
import { derivedKey } from '../keys/derived-key';
import { isIdentifierClaim } from '../tokens/claims-validator';
import { MAX_CLOCK_AHEAD_MS } from '../tokens/clock-lead';
import { hasCompactJwsShape } from '../tokens/jws-shape';

/**
 * What a purpose token is for: an account link's, or a login's second step (the challenge).
 * Never an access or refresh token, nor each other.
 */
export type PurposeTokenType = 'verify_email' | 'reset_password' | 'mfa_challenge';

/** The claims of a verified purpose token. */
export interface PurposeTokenClaims {
  sub: string;
  type: PurposeTokenType;
  jti: string;
  iat: number;
  exp: number;
  /** Issue time in milliseconds (`iat` to the millisecond). */
  iat_ms: number;
  /** The binding to the user's state when it was issued (see `PurposeTokens.isBoundTo`). */
  bnd: string;
}

/** A purpose token, and when it expires. */
export interface IssuedPurposeToken {
  token: string;
  expiresAt: Date;
}

/** HKDF `info`s: keys for these uses only, unrelated to the signing key and to each other. */
const SIGNING_INFO = 'fastcore-security/purpose-tokens/v1';
const BINDING_INFO = 'fastcore-security/purpose-binding/v1';
/** Purpose tokens are signed with HMAC under their own key, whatever JWT_ALGORITHM is. */
const ALGORITHM = 'HS256';
/** 128 bits of HMAC: the binding is compared, never reversed. */
const BINDING_LENGTH = 22;

/**
 * The tokens of account links (email verification, password reset): JWTs signed with
 * HS256 under a key derived from the signing key for this use alone, so that no access-token
 * verifier (this library's, or another service's with the public key) ever accepts one, and
 * one never verifies as an access or refresh token; each carries its purpose in `type`,
 * checked on every verification.
 *
 * A token is bound to the part of the user's state it acts on: `bnd` is an HMAC of the
 * purpose, the user id and that state (the password hash for a reset, the email for a
 * verification), so that a reset token dies when the password changes and a verification
 * token when the email changes. Nothing of the state is readable in the token.
 */
export class PurposeTokens {
  private readonly signingKey: Buffer;
  private readonly bindingKey: Buffer;
  private readonly lifetimeSeconds: Readonly<Record<PurposeTokenType, number>>;

  constructor(
    settings: BaseAppSettings,
    private readonly clock: Clock,
  ) {
    this.signingKey = derivedKey(settings, SIGNING_INFO);
    this.bindingKey = derivedKey(settings, BINDING_INFO);
    this.lifetimeSeconds = {
      verify_email: settings.EMAIL_VERIFICATION_EXPIRE_MINUTES * 60,
      reset_password: settings.PASSWORD_RESET_EXPIRE_MINUTES * 60,
      mfa_challenge: settings.MFA_CHALLENGE_EXPIRE_MINUTES * 60,
    };
  }

  /** A token of `type` for `userId`, bound to `state`. */
  issue(type: PurposeTokenType, userId: string, state: string): IssuedPurposeToken {
    const iatMs = Math.floor(this.clock.now());
    const iat = Math.floor(iatMs / 1000);
    const exp = iat + this.lifetimeSeconds[type];
    const payload = {
      sub: userId,
      type,
      jti: randomUUID(),
      iat,
      iat_ms: iatMs,
      exp,
      bnd: this.binding(type, userId, state),
    };
    return {
      token: jwt.sign(payload, this.signingKey, { algorithm: ALGORITHM }),
      expiresAt: new Date(exp * 1000),
    };
  }

  /**
   * The claims of a valid, unexpired token of `type`.
   * @throws InvalidAccountTokenError for anything else (one error whatever the cause).
   */
  verify(token: unknown, type: PurposeTokenType): PurposeTokenClaims {
    if (!hasCompactJwsShape(token)) throw new InvalidAccountTokenError('malformed');
    let payload: unknown;
    try {
      payload = jwt.verify(token, this.signingKey, {
        algorithms: [ALGORITHM],
        ignoreExpiration: true,
        ignoreNotBefore: true,
      });
    } catch {
      // The library's message is dropped: it may quote the token.
      throw new InvalidAccountTokenError('signature');
    }
    const claims = (typeof payload === 'object' && payload !== null ? payload : {}) as Record<
      string,
      unknown
    >;
    if (claims['type'] !== type) throw new InvalidAccountTokenError('wrong_type');
    const { iat, exp, iat_ms: iatMs } = claims;
    const now = this.clock.now() / 1000;
    if (
      !Number.isSafeInteger(iat) ||
      !Number.isSafeInteger(exp) ||
      !Number.isSafeInteger(iatMs) ||
      Math.floor((iatMs as number) / 1000) !== iat
    ) {
      throw new InvalidAccountTokenError('claim_invalid');
    }
    if (now >= (exp as number)) throw new InvalidAccountTokenError('expired');
    const lifetime = (exp as number) - iat;
    // Issued by another instance whose clock may be a little ahead.
    if (
      iat > now + MAX_CLOCK_AHEAD_MS / 1000 ||
      lifetime <= 0 ||
      lifetime > this.lifetimeSeconds[type]
    ) {
      throw new InvalidAccountTokenError('lifetime');
    }
    for (const name of ['sub', 'jti', 'bnd'] as const) {
      if (!isIdentifierClaim(claims[name])) throw new InvalidAccountTokenError('claim_invalid');
    }
    return claims as unknown as PurposeTokenClaims;
  }

  /** Whether `claims` were issued for the user's `state` as it is now. */
  isBoundTo(claims: PurposeTokenClaims, state: string): boolean {
    const expected = Buffer.from(this.binding(claims.type, claims.sub, state));
    const actual = Buffer.from(claims.bnd);
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }

  private binding(type: PurposeTokenType, userId: string, state: string): string {
    return createHmac('sha256', this.bindingKey)
      .update(`${type}\0${userId}\0`, 'utf8')
      .update(state, 'utf8')
      .digest('base64url')
      .slice(0, BINDING_LENGTH);
  }
}
