import { randomUUID } from 'node:crypto';
import bcrypt from 'bcrypt';
import { expect } from 'chai';
import { BaseAppSettings } from '../../src/config/base-app-settings';
import { PasswordHasher } from '../../src/password/password-hasher';
import { MemoryUsers } from '../helpers/memory-users';
import { createSecurityFixture } from '../helpers/security-fixture';
import { testEnvironment } from '../helpers/test-environment';

const TRIALS = 20;

/**
 * A login that upgrades a cheap hash, while the password is being changed: the upgrade
 * must not put the old password back over the new one (attack review).
 */
describe('a cheap-hash upgrade racing a password change', () => {
  it(`never brings the old password back, and never refuses the change (${TRIALS} trials)`, async () => {
    const hasher = new PasswordHasher(new BaseAppSettings(testEnvironment({ BCRYPT_ROUNDS: '6' })));
    const outcomes: string[] = [];
    for (let trial = 0; trial < TRIALS; trial += 1) {
      const users = new MemoryUsers();
      createSecurityFixture({ BCRYPT_ROUNDS: '6', LOGIN_MAX_ATTEMPTS: '100' }, undefined, {
        userAuthentication: users,
      });
      const email = `u-${randomUUID()}@example.com`;
      const user = await users.add(email, 'old-password-1');
      user.hashed_password = await bcrypt.hash('old-password-1', 4); // a legacy, cheaper hash
      const [, change] = await Promise.allSettled([
        users.login(email, 'old-password-1', { address: '198.51.100.7' }),
        users.changePassword({ ...user }, 'old-password-1', 'new-password-2', {
          address: '203.0.113.9',
        }),
      ]);
      const stored = user.hashed_password;
      const oldWorks = await hasher.verifyPassword('old-password-1', stored);
      const newWorks = await hasher.verifyPassword('new-password-2', stored);
      outcomes.push(`${change.status} old=${oldWorks} new=${newWorks}`);
    }
    expect(outcomes.filter((o) => o !== 'fulfilled old=false new=true')).to.deep.equal([]);
  });
});
