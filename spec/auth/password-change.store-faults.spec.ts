import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import {
  CurrentPasswordError,
  StoreUnavailableError,
  TokenRevokedError,
} from '../../src/errors/security-errors';
import { MemoryRevocationStore } from '../../src/revocation/memory-revocation-store';
import { MemoryUsers } from '../helpers/memory-users';
import { rejection } from '../helpers/rejection';
import { createSecurityFixture } from '../helpers/security-fixture';

/** A password change meeting a revocation store that fails on its `n`-th cutoff. */
async function changeWithFailingCutoff(failOn: number) {
  const users = new MemoryUsers();
  let cutoffs = 0;
  const f = createSecurityFixture(
    { BCRYPT_ROUNDS: '4' },
    (clock) => {
      const store = new MemoryRevocationStore(clock);
      const revoke = store.revokeUserTokens.bind(store);
      store.revokeUserTokens = (...args) => {
        cutoffs += 1;
        return cutoffs === failOn ? Promise.reject(new StoreUnavailableError()) : revoke(...args);
      };
      return store;
    },
    { userAuthentication: users },
  );
  const user = await users.add(`u-${randomUUID()}@example.com`, 'old-password-1');
  const thief = await users.login(user.email, 'old-password-1');
  const answer = await rejection(users.changePassword(user, 'old-password-1', 'new-password-2'));
  return { f, users, user, thief, answer };
}

/** Second review: a change answered 503 after its hash was stored left the old sessions on. */
describe('a password change and a failing revocation store', () => {
  it('the first cutoff fails: 503, and nothing changed (the old password still works)', async () => {
    const { users, user, answer } = await changeWithFailingCutoff(1);
    expect(answer).to.be.instanceOf(StoreUnavailableError);
    expect(await users.authenticateUser(user.email, 'old-password-1')).to.not.equal(null);
  });

  it('the cutoff after the new hash fails: 503, yet no older session works, and the new password is in force', async () => {
    const { f, users, user, thief, answer } = await changeWithFailingCutoff(2);
    expect(answer).to.be.instanceOf(StoreUnavailableError);
    expect(await rejection(f.revocation.verifyAccessToken(thief.access_token))).to.be.instanceOf(
      TokenRevokedError,
    );
    expect(await rejection(users.refresh(thief.refresh_token))).to.be.instanceOf(TokenRevokedError);
    // No oracle: a retry with the old password is a wrong current password (not a 204).
    expect(
      await rejection(users.changePassword(user, 'old-password-1', 'new-password-2')),
    ).to.be.instanceOf(CurrentPasswordError);
    expect(await users.authenticateUser(user.email, 'new-password-2')).to.not.equal(null);
  });
});
