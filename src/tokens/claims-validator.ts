import {
  InvalidTokenError,
  TokenExpiredError,
  WrongTokenTypeError,
} from '../errors/security-errors';
import { MAX_CLOCK_AHEAD_MS } from './clock-lead';
import type { RefreshTokenClaims, TokenClaims, TokenType } from './token-claims';

/** What the claims of a signature-checked token must satisfy. Built once from settings. */
export interface ClaimsPolicy {
  issuer: string | undefined;
  audience: string | undefined;
  leewaySeconds: number;
  /** Longest `exp - iat` accepted for each token type. */
  maxLifetimeSeconds: Readonly<Record<TokenType, number>>;
  /** Longest `fam_exp - iat` accepted on a refresh token. */
  maxSessionSeconds: number;
}

/** Past year 5000: a NumericDate beyond this is absurd (`1e308`), not a real time. */
const MAX_NUMERIC_DATE = 95_617_584_000;
const MAX_ID_LENGTH = 256;

/**
 * Validates the claims of a token whose signature has been checked, in one straight line:
 * shape, type, expiry, then every other rule. `nowMs` is the injected clock's time.
 * `allowExpired` skips only the expiry rule (revoking an expired token is a no-op, not an
 * error, so the caller must still see its claims).
 */
export function validateClaims(
  payload: unknown,
  expectedType: TokenType | undefined,
  nowMs: number,
  policy: ClaimsPolicy,
  allowExpired = false,
): TokenClaims {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new InvalidTokenError('claims_not_object');
  }
  const claims = payload as Record<string, unknown>;
  const type = claims['type'];
  if (type !== 'access' && type !== 'refresh') throw new InvalidTokenError('claim_invalid', 'type');
  assertExpectedType(type, expectedType);

  const now = nowMs / 1000;
  const leeway = policy.leewaySeconds;
  const exp = numericDate(claims, 'exp');
  if (!allowExpired) assertNotExpired(exp, nowMs, policy);
  const iat = numericDate(claims, 'iat');
  if (iat > now + leeway) throw new InvalidTokenError('in_future', 'iat');
  if (claims['nbf'] !== undefined && numericDate(claims, 'nbf') > now + leeway) {
    throw new InvalidTokenError('in_future', 'nbf');
  }
  if (exp <= iat || exp - iat > policy.maxLifetimeSeconds[type]) {
    throw new InvalidTokenError('lifetime', 'exp');
  }
  identifier(claims, 'sub');
  identifier(claims, 'jti');
  // `iat_ms` orders tokens against revocation cutoffs: it must be `iat` to the millisecond,
  // so that no token can carry an `iat_ms` far from the time it says it was issued.
  const iatMs = claims['iat_ms'];
  if (!Number.isSafeInteger(iatMs) || Math.floor((iatMs as number) / 1000) !== iat) {
    throw new InvalidTokenError('claim_invalid', 'iat_ms');
  }
  if (policy.issuer !== undefined && claims['iss'] !== policy.issuer) {
    throw new InvalidTokenError('claim_invalid', 'iss');
  }
  if (policy.audience !== undefined && !audienceMatches(claims['aud'], policy.audience)) {
    throw new InvalidTokenError('claim_invalid', 'aud');
  }
  if (claims['fam'] !== undefined || type === 'refresh') {
    identifier(claims, 'fam');
    validateFamilyStart(claims, iatMs as number, policy);
  }
  if (type === 'refresh') validateFamilyExpiry(claims, exp, iat, policy);
  return claims as TokenClaims;
}

/** The rules that depend on the caller and on time: checked again on every use of a token. */
export function assertExpectedType(type: TokenType, expectedType: TokenType | undefined): void {
  if (expectedType !== undefined && type !== expectedType) throw new WrongTokenTypeError();
}

export function assertNotExpired(exp: number, nowMs: number, policy: ClaimsPolicy): void {
  if (nowMs / 1000 >= exp + policy.leewaySeconds) throw new TokenExpiredError();
}

/**
 * A session starts no later than its token (give or take another instance's clock lead),
 * and no longer ago than a session lasts.
 */
function validateFamilyStart(
  claims: Record<string, unknown>,
  iatMs: number,
  policy: ClaimsPolicy,
): void {
  const startedAtMs = claims['fam_iat_ms'];
  if (startedAtMs === undefined) throw new InvalidTokenError('claim_missing', 'fam_iat_ms');
  if (
    !Number.isSafeInteger(startedAtMs) ||
    (startedAtMs as number) > iatMs + MAX_CLOCK_AHEAD_MS ||
    iatMs - (startedAtMs as number) > policy.maxSessionSeconds * 1000
  ) {
    throw new InvalidTokenError('claim_invalid', 'fam_iat_ms');
  }
  const epoch = claims['fam_epoch'];
  if (epoch !== undefined && (!Number.isSafeInteger(epoch) || (epoch as number) < 0)) {
    throw new InvalidTokenError('claim_invalid', 'fam_epoch');
  }
  if (claims['fam_reg'] !== undefined && claims['fam_reg'] !== true) {
    throw new InvalidTokenError('claim_invalid', 'fam_reg');
  }
  const csrf = claims['fam_csrf'];
  if (csrf !== undefined && (typeof csrf !== 'string' || !SESSION_CSRF.test(csrf))) {
    throw new InvalidTokenError('claim_invalid', 'fam_csrf');
  }
}

/** A session's CSRF token, as `startFamily` makes it: base64url. */
export const SESSION_CSRF = /^[A-Za-z0-9_-]{16,64}$/;

function validateFamilyExpiry(
  claims: Record<string, unknown>,
  exp: number,
  iat: number,
  policy: ClaimsPolicy,
): asserts claims is RefreshTokenClaims {
  const familyExp = numericDate(claims, 'fam_exp');
  if (!Number.isSafeInteger(familyExp)) throw new InvalidTokenError('claim_invalid', 'fam_exp');
  // The family's end counts from its start, which another instance's clock may put ahead.
  const lead = Math.ceil(MAX_CLOCK_AHEAD_MS / 1000);
  if (exp > familyExp || familyExp - iat > policy.maxSessionSeconds + lead) {
    throw new InvalidTokenError('lifetime', 'fam_exp');
  }
  const generation = claims['fam_gen'];
  if (generation === undefined) throw new InvalidTokenError('claim_missing', 'fam_gen');
  if (!Number.isSafeInteger(generation) || (generation as number) < 0) {
    throw new InvalidTokenError('claim_invalid', 'fam_gen');
  }
}

/** A NumericDate (RFC 7519 §2): a finite, non-negative number of seconds; required. */
function numericDate(claims: Record<string, unknown>, name: string): number {
  const value = claims[name];
  if (value === undefined) throw new InvalidTokenError('claim_missing', name);
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < 0 ||
    value > MAX_NUMERIC_DATE
  ) {
    throw new InvalidTokenError('claim_invalid', name);
  }
  return value;
}

function identifier(claims: Record<string, unknown>, name: string): string {
  const value = claims[name];
  if (value === undefined) throw new InvalidTokenError('claim_missing', name);
  if (!isIdentifierClaim(value)) throw new InvalidTokenError('claim_invalid', name);
  return value;
}

/** What an id claim (`sub`, `jti`, `fam`, …) must be: a non-empty string of bounded length. */
export function isIdentifierClaim(value: unknown): value is string {
  return typeof value === 'string' && value !== '' && value.length <= MAX_ID_LENGTH;
}

function audienceMatches(aud: unknown, expected: string): boolean {
  if (typeof aud === 'string') return aud === expected;
  return Array.isArray(aud) && aud.some((entry) => entry === expected);
}
