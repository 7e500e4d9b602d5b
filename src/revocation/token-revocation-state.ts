import type { RefreshTokenClaims, TokenClaims } from '../tokens/token-claims';
import type { RefreshTokenState, TokenRevocationState } from './revocation-store';

/**
 * What a revocation store needs to know of a verified token. A token of a session is judged
 * by its session's start, so that every token descending from a session a cutoff ended is
 * over too, whenever it was signed.
 */
export function toRevocationState(claims: TokenClaims): TokenRevocationState {
  return {
    jti: claims.jti,
    subject: claims.sub,
    startedAtMs: claims.fam === undefined ? claims.iat_ms : (claims.fam_iat_ms ?? 0),
    familyId: claims.fam,
    sessionEpoch: claims.fam === undefined ? undefined : claims.fam_epoch,
  };
}

/** What rotation needs to know of a verified refresh token. */
export function toRefreshState(
  claims: RefreshTokenClaims,
  familyExpiresAtMs: number,
): RefreshTokenState {
  return {
    ...toRevocationState(claims),
    familyId: claims.fam,
    generation: claims.fam_gen,
    familyExpiresAtMs,
  };
}
