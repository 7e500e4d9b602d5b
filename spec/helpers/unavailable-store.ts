import { StoreUnavailableError } from '../../src/errors/security-errors';
import type { RevocationStore } from '../../src/revocation/revocation-store';

/** A store whose server is down: every call fails as a real store's would. */
export function unavailableStore(): RevocationStore {
  const fail = (): Promise<never> => Promise.reject(new StoreUnavailableError());
  return {
    revokeToken: fail,
    revokeFamily: fail,
    revokeUserTokens: fail,
    isRevoked: fail,
    sessionEpoch: fail,
    checkRefreshToken: fail,
    rotateRefreshToken: fail,
  };
}
