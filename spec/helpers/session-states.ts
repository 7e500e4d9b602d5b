import { randomUUID } from 'node:crypto';
import type {
  RefreshTokenState,
  TokenRevocationState,
} from '../../src/revocation/revocation-store';

/**
 * A new session of `subject`, as the revocation store sees its tokens: the access token's and
 * the refresh token's standing (generation 0, one family lasting an hour), started at `nowMs`
 * under the store's session epoch `sessionEpoch`.
 */
export function sessionStates(
  subject: string,
  sessionEpoch: number,
  nowMs: number,
): { access: TokenRevocationState; refresh: RefreshTokenState } {
  const familyId = randomUUID();
  const access: TokenRevocationState = {
    jti: randomUUID(),
    subject,
    startedAtMs: nowMs,
    familyId,
    sessionEpoch,
  };
  const refresh: RefreshTokenState = {
    ...access,
    jti: randomUUID(),
    familyId,
    generation: 0,
    familyExpiresAtMs: nowMs + 3_600_000,
  };
  return { access, refresh };
}
