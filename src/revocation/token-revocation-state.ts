import type { TokenClaims } from '../tokens/token-claims';
import type { TokenRevocationState } from './revocation-store';

/** What a revocation store needs to know of a verified token. */
export function toRevocationState(claims: TokenClaims): TokenRevocationState {
  return { jti: claims.jti, subject: claims.sub, issuedAtMs: claims.iat_ms, familyId: claims.fam };
}
