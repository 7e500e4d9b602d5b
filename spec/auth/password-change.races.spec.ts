import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { CurrentPasswordError } from '../../src/errors/security-errors';
import { BaseAppSettings } from '../../src/config/base-app-settings';
import { PasswordHasher } from '../../src/password/password-hasher';
import { MemoryUsers } from '../helpers/memory-users';
import { testEnvironment } from '../helpers/test-environment';
import { createSecurityFixture } from '../helpers/security-fixture';

const TRIALS = 20;

/** Item 3: concurrent password changes of one user. */
describe('concurrent password changes of one user: exactly one wins', () => {
  it(`of 4 concurrent changes with the right current password, one answers and the others are refused (${TRIALS} trials)`, async () => {
    const users = new MemoryUsers();
    createSecurityFixture({ BCRYPT_ROUNDS: '4', LOGIN_MAX_ATTEMPTS: '100' }, undefined, {
      userAuthentication: users,
    });
    const user = await users.add(`u-${randomUUID()}@example.com`, 'password-0000');
    let current = 'password-0000';
    for (let trial = 0; trial < TRIALS; trial += 1) {
      const offered = [0, 1, 2, 3].map((i) => `password-${trial}-${i}`);
      const outcomes = await Promise.allSettled(
        offered.map((next) => users.changePassword(user, current, next)),
      );
      const won = outcomes.flatMap((outcome, i) => (outcome.status === 'fulfilled' ? [i] : []));
      expect(won, `trial ${trial}`).to.have.length(1);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') {
          expect(outcome.reason).to.be.instanceOf(CurrentPasswordError);
        }
      }
      current = offered[won[0]]!;
      // The winner's password is the one in force; no loser's is.
      expect(await users.authenticateUser(user.email, current)).to.not.equal(null);
      for (const loser of offered.filter((password) => password !== current)) {
        expect(await users.authenticateUser(user.email, loser)).to.equal(null);
      }
    }
  });

  it('a lost race is not counted as a guess: the account is not locked by it', async () => {
    const users = new MemoryUsers();
    createSecurityFixture({ BCRYPT_ROUNDS: '4', LOGIN_MAX_ATTEMPTS: '2' }, undefined, {
      userAuthentication: users,
    });
    const user = await users.add(`u-${randomUUID()}@example.com`, 'password-0000');
    await Promise.allSettled(
      [1, 2, 3, 4].map((i) => users.changePassword(user, 'password-0000', `password-new-${i}`)),
    );
    // Which change won, read off the stored hash (a failed login would count).
    const hasher = new PasswordHasher(new BaseAppSettings(testEnvironment({ BCRYPT_ROUNDS: '4' })));
    for (let i = 1; i <= 4; i += 1) {
      if (await hasher.verifyPassword(`password-new-${i}`, user.hashed_password)) {
        expect((await users.login(user.email, `password-new-${i}`)).access_token).to.be.a('string');
        return;
      }
    }
    throw new Error('no new password is in force');
  });
});
