import type { RefreshTokenClaims } from '../tokens/token-claims';

/**
 * What rotation asks of the session registry: a refresh token of a registered session
 * (`fam_reg`) rotates only while its session is registered, whoever rotates it (the login
 * workflow, an application's own refresh route, the seed's `refreshAccessToken`).
 */
export interface SessionGate {
  /** @throws TokenRevokedError when the session is no longer registered; StoreUnavailableError. */
  assertLive(claims: RefreshTokenClaims): Promise<void>;
  /** After a rotation: when the session was last used. Never throws (best effort). */
  refreshed(claims: RefreshTokenClaims): Promise<void>;
}
