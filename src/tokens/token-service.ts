import { randomBytes, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Jwt, SignOptions, VerifyOptions } from 'jsonwebtoken';
import type { Clock } from '../clock/clock';
import type { BaseAppSettings } from '../config/base-app-settings';
import { InvalidTokenError } from '../errors/security-errors';
import type { JsonWebKeySet, JwtKeySet } from '../keys/jwt-key-set';
import type { ClaimsPolicy } from './claims-validator';
import {
  SESSION_CSRF,
  assertExpectedType,
  assertNotExpired,
  validateClaims,
} from './claims-validator';
import { MAX_CLOCK_AHEAD_MS } from './clock-lead';
import { deepFreeze } from './deep-freeze';
import { VerifiedTokenCache } from './verified-token-cache';
import { hasCompactJwsShape, isTokenSized } from './jws-shape';
import type { AccessTokenClaims, RefreshTokenClaims, TokenClaims, TokenType } from './token-claims';
import type { TokenData } from './token-data';
import { normalizeTokenData } from './token-data';
import type { RefreshFamily, TokenPair } from './token-pair';

/** Options of `createAccessToken` and `createRefreshToken`. */
export interface CreateTokenOptions {
  /** A lifetime shorter than the configured one, in whole seconds. */
  expiresInSeconds?: number;
}

/** Options of `createRefreshToken` and `createTokenPair`. */
export interface FamilyOptions {
  /** Continue this family (rotation) instead of starting a new login session. */
  family?: RefreshFamily;
}

/**
 * Issues and verifies the library's JWTs. Built once per container: the keys are imported
 * once as `KeyObject`s (by the settings) and the verify options are built once, so the hot
 * path does no key parsing or option building.
 *
 * Verification pins the configured algorithm and checks, in this order: shape and size,
 * key (asymmetric: the `kid` must name a configured key), signature (jsonwebtoken), header
 * (`crit` refused), then every claim (`validateClaims`).
 */
export class TokenService {
  private readonly keys: JwtKeySet;
  private readonly signOptions: SignOptions;
  private readonly verifyOptions: VerifyOptions & { complete: true };
  private readonly policy: ClaimsPolicy;
  private readonly settings: BaseAppSettings;
  /** Access tokens already verified: a second use skips the signature check (see the class). */
  private readonly verified: VerifiedTokenCache;
  /** No token issued from now on has an `iat_ms` at or below this (see `takeRevocationCutoff`). */
  private issueFloorMs = 0;
  /** The latest time handed out (a token's `iat_ms` or a session's start). */
  private lastIssuedMs = 0;

  constructor(
    settings: BaseAppSettings,
    private readonly clock: Clock,
  ) {
    this.settings = settings;
    this.verified = new VerifiedTokenCache(settings.VERIFIED_TOKEN_CACHE_SIZE);
    this.keys = settings.jwtKeys;
    this.signOptions = { algorithm: this.keys.algorithm };
    if (this.keys.signingKeyId !== undefined) this.signOptions.keyid = this.keys.signingKeyId;
    // Time rules are ours (injected clock, stricter rules), so jsonwebtoken checks only
    // the algorithm and the signature.
    this.verifyOptions = {
      algorithms: [this.keys.algorithm],
      complete: true,
      ignoreExpiration: true,
      ignoreNotBefore: true,
    };
    this.policy = {
      issuer: settings.JWT_ISSUER,
      audience: settings.JWT_AUDIENCE,
      leewaySeconds: settings.JWT_LEEWAY_SECONDS,
      maxLifetimeSeconds: {
        access: settings.accessTokenLifetimeSeconds,
        refresh: settings.refreshTokenLifetimeSeconds,
      },
      maxSessionSeconds: settings.refreshSessionLifetimeSeconds,
    };
  }

  /**
   * Signs an access token for `data.sub` with the application's claims from `data`.
   * @example `tokens.createAccessToken({ sub: user.id, roles: user.roles })`
   */
  createAccessToken(data: TokenData, options: CreateTokenOptions & FamilyOptions = {}): string {
    const lifetime = this.lifetime('access', options.expiresInSeconds);
    return this.sign('access', data, lifetime, options.family);
  }

  /** Signs a refresh token; without `options.family` it starts a new family (session). */
  createRefreshToken(data: TokenData, options: CreateTokenOptions & FamilyOptions = {}): string {
    const lifetime = this.lifetime('refresh', options.expiresInSeconds);
    return this.sign('refresh', data, lifetime, options.family ?? this.startFamily());
  }

  /**
   * An access and a refresh token of one family, in the OAuth2 token response shape.
   * @example `const { access_token, refresh_token } = tokens.createTokenPair({ sub: '42' });`
   */
  createTokenPair(data: TokenData, options: FamilyOptions = {}): TokenPair {
    const family = options.family ?? this.startFamily();
    const access = this.signed('access', data, this.settings.accessTokenLifetimeSeconds, family);
    return {
      access_token: access.token,
      refresh_token: this.sign('refresh', data, this.settings.refreshTokenLifetimeSeconds, family),
      token_type: 'bearer',
      // Shorter than the lifetime when the session ends sooner.
      expires_in: access.exp - access.iat,
    };
  }

  /** Verifies an access token. Does not consult revocation: see `RevocationService`. */
  verifyAccessToken(token: string): AccessTokenClaims {
    return this.verify(token, 'access') as AccessTokenClaims;
  }

  /** Verifies a refresh token. Does not consult revocation: see `RefreshRotationService`. */
  verifyRefreshToken(token: string): RefreshTokenClaims {
    return this.verify(token, 'refresh') as RefreshTokenClaims;
  }

  /**
   * Verifies a token of either type. With `allowExpired`, an expired but otherwise valid
   * token still returns its claims (for revocation); every other rule holds.
   */
  verify(token: unknown, expectedType?: TokenType, allowExpired = false): TokenClaims {
    if (!isTokenSized(token)) throw new InvalidTokenError('malformed');
    const cacheKey = this.verified.enabled ? this.verified.key(token) : undefined;
    const known = cacheKey === undefined ? undefined : this.verified.get(cacheKey);
    if (known !== undefined) {
      assertExpectedType(known.type, expectedType);
      if (!allowExpired) assertNotExpired(known.exp, this.clock.now(), this.policy);
      return known;
    }
    // Not a token verified before (a hit is the same bytes as one that passed everything
    // below, so it needs no shape check either).
    if (!hasCompactJwsShape(token)) throw new InvalidTokenError('malformed');
    const key = this.keys.verificationKey(this.keys.isAsymmetric ? headerKeyId(token) : undefined);
    if (key === undefined) throw new InvalidTokenError('unknown_key');
    let decoded: Jwt;
    try {
      decoded = jwt.verify(token, key, this.verifyOptions);
    } catch {
      // The library's message is dropped on purpose: it may quote the token.
      throw new InvalidTokenError('signature');
    }
    if (decoded.header.crit !== undefined) throw new InvalidTokenError('crit');
    const claims = validateClaims(
      decoded.payload,
      expectedType,
      this.clock.now(),
      this.policy,
      allowExpired,
    );
    // Only access tokens are worth keeping: a refresh token is spent on its first use.
    // Frozen: one object serves every later request with this token.
    if (cacheKey !== undefined && !allowExpired && claims.type === 'access') {
      this.verified.set(cacheKey, deepFreeze(claims));
    }
    return claims;
  }

  /** The public verification keys, for `/.well-known/jwks.json`; empty for HMAC. */
  jwks(): JsonWebKeySet {
    return this.keys.jwks();
  }

  /**
   * A revocation cutoff for "every token issued until now": at or after every `iat_ms` this
   * service has issued, and before every one it will issue, even within the same
   * millisecond, so that a per-user cutoff revokes exactly what came before it.
   */
  takeRevocationCutoff(): number {
    // At or after every time handed out, yet not ahead of the clock by itself: cutoffs in a
    // burst, with nothing signed between them, do not push the floor past the clock.
    const cutoffMs = Math.max(this.clock.now(), this.lastIssuedMs);
    this.issueFloorMs = Math.max(this.issueFloorMs, cutoffMs + 1);
    return cutoffMs;
  }

  /**
   * The clock's time, never below the floor. Not held above the clock otherwise: a token
   * signed ahead of the clock would be "in the future" to its own instance. (Sessions are
   * ordered by the store's epoch, not by these times.)
   */
  private now(): number {
    this.lastIssuedMs = Math.max(this.clock.now(), this.issueFloorMs);
    return this.lastIssuedMs;
  }

  private sign(type: TokenType, data: TokenData, lifetime: number, family?: RefreshFamily): string {
    return this.signed(type, data, lifetime, family).token;
  }

  private signed(
    type: TokenType,
    data: TokenData,
    lifetime: number,
    family?: RefreshFamily,
  ): { token: string; iat: number; exp: number } {
    const { sub, claims } = normalizeTokenData(data);
    // `iat` is `iat_ms` in seconds, always: a verifier refuses a token where they differ.
    const issuedAtMs = this.now();
    const iat = Math.floor(issuedAtMs / 1000);
    let exp = iat + lifetime;
    const payload: Record<string, unknown> = { ...claims, sub, type, jti: randomUUID(), iat };
    if (family !== undefined) {
      this.checkFamily(family, issuedAtMs);
      payload['fam'] = family.id;
      payload['fam_iat_ms'] = family.startedAtMs;
      if (family.epoch !== undefined) payload['fam_epoch'] = family.epoch;
      if (family.csrf !== undefined) payload['fam_csrf'] = family.csrf;
      if (family.registered === true) payload['fam_reg'] = true;
      // No token of a session outlives the session's absolute end.
      exp = Math.min(exp, family.expiresAt);
      if (type === 'refresh') {
        payload['fam_exp'] = family.expiresAt;
        payload['fam_gen'] = family.generation;
      }
    }
    payload['exp'] = exp;
    payload['iat_ms'] = issuedAtMs;
    if (this.settings.JWT_ISSUER !== undefined) payload['iss'] = this.settings.JWT_ISSUER;
    if (this.settings.JWT_AUDIENCE !== undefined) payload['aud'] = this.settings.JWT_AUDIENCE;
    return { token: jwt.sign(payload, this.keys.signingKey, this.signOptions), iat, exp };
  }

  private lifetime(type: TokenType, requested: number | undefined): number {
    const configured = this.policy.maxLifetimeSeconds[type];
    if (requested === undefined) return configured;
    if (!Number.isSafeInteger(requested) || requested < 1 || requested > configured) {
      throw new TypeError(`expiresInSeconds must be an integer from 1 to ${configured}`);
    }
    return requested;
  }

  /**
   * A new refresh family (login session) ending `REFRESH_SESSION_MAX_DAYS` from now. Take it
   * before the credentials are checked: a password change that commits while they are being
   * checked then ends this session too.
   */
  startFamily(epoch?: number): RefreshFamily {
    if (epoch !== undefined && (!Number.isSafeInteger(epoch) || epoch < 0)) {
      throw new TypeError('epoch must be a non-negative integer');
    }
    const startedAtMs = this.now();
    const expiresAt = Math.floor(startedAtMs / 1000) + this.settings.refreshSessionLifetimeSeconds;
    const family: RefreshFamily = {
      id: randomUUID(),
      expiresAt,
      startedAtMs,
      generation: 0,
      csrf: randomBytes(18).toString('base64url'),
    };
    if (epoch !== undefined) family.epoch = epoch;
    return family;
  }

  /** The family a verified refresh token's rotation continues: the next generation. */
  nextGeneration(claims: RefreshTokenClaims): RefreshFamily {
    const family: RefreshFamily = {
      id: claims.fam,
      expiresAt: claims.fam_exp,
      startedAtMs: claims.fam_iat_ms,
      generation: claims.fam_gen + 1,
    };
    if (claims.fam_epoch !== undefined) family.epoch = claims.fam_epoch;
    if (claims.fam_csrf !== undefined) family.csrf = claims.fam_csrf;
    if (claims.fam_reg === true) family.registered = true;
    return family;
  }

  private checkFamily(family: RefreshFamily, issuedAtMs: number): void {
    const { id, expiresAt, startedAtMs, generation } = family;
    const sessionMs = this.settings.refreshSessionLifetimeSeconds * 1000;
    if (typeof id !== 'string' || id === '' || !Number.isSafeInteger(expiresAt)) {
      throw new TypeError('family must have a non-empty id and an integer expiresAt');
    }
    if (!Number.isSafeInteger(generation) || generation < 0) {
      throw new TypeError('family.generation must be a non-negative integer');
    }
    if (family.epoch !== undefined && (!Number.isSafeInteger(family.epoch) || family.epoch < 0)) {
      throw new TypeError('family.epoch must be a non-negative integer');
    }
    if (family.csrf !== undefined && !SESSION_CSRF.test(String(family.csrf))) {
      throw new TypeError('family.csrf must be 16 to 64 base64url characters');
    }
    // A session started on another instance may be a little ahead of our clock.
    if (
      !Number.isSafeInteger(startedAtMs) ||
      startedAtMs > issuedAtMs + MAX_CLOCK_AHEAD_MS ||
      issuedAtMs - startedAtMs > sessionMs
    ) {
      throw new TypeError('family.startedAtMs must be an integer time within the session lifetime');
    }
    const iat = Math.floor(issuedAtMs / 1000);
    const lead = Math.ceil(MAX_CLOCK_AHEAD_MS / 1000);
    if (expiresAt <= iat || expiresAt - iat > this.settings.refreshSessionLifetimeSeconds + lead) {
      throw new TypeError('family.expiresAt must be in the future and within the session lifetime');
    }
  }
}

/** The `kid` of a token's header (jsonwebtoken decodes it), read only to pick a configured key. */
function headerKeyId(token: string): unknown {
  try {
    return jwt.decode(token, { complete: true })?.header.kid;
  } catch {
    return undefined;
  }
}
