import { expect } from 'chai';
import { BaseAppSettings } from '../../src/config/base-app-settings';
import {
  InvalidCredentialsError,
  ServerBusyError,
  StoreUnavailableError,
  TooManyAttemptsError,
} from '../../src/errors/security-errors';
import { createSecurity } from '../../src/security/security';
import type { LimiterBackend } from '../helpers/limiter-backends';
import { onEachLimiterBackend } from '../helpers/limiter-backends';
import type { TestUser } from '../helpers/memory-users';
import { MemoryUsers } from '../helpers/memory-users';
import { rejection } from '../helpers/rejection';
import { testEnvironment } from '../helpers/test-environment';

/** A user store that is down for the next `outages` lookups. */
class FlakyUsers extends MemoryUsers {
  outages = 0;
  override getUserByUsername(username: string): Promise<TestUser | undefined> {
    if (this.outages > 0) {
      this.outages -= 1;
      return Promise.reject(new StoreUnavailableError());
    }
    return super.getUserByUsername(username);
  }
}

describe('login attempts without a verdict count as nothing (catalogue L2, issues 9 and 10)', () => {
  onEachLimiterBackend((backend: () => LimiterBackend) => {
    const LIMIT = 3;
    let users: FlakyUsers;
    let b: LimiterBackend;
    const address = '203.0.113.5';

    function configure(env: Record<string, string> = {}) {
      const settings = new BaseAppSettings(
        testEnvironment({
          LOGIN_MAX_ATTEMPTS: String(LIMIT),
          LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '5',
          ...env,
        }),
      );
      users = new FlakyUsers();
      b = backend();
      return createSecurity({
        settings,
        loginLimiters: b.limiters(settings),
        userAuthentication: users,
      });
    }

    it('a user store down for more lookups than the limit (503 each) locks nothing: then the right password logs in', async () => {
      configure();
      await users.add('user@example.com', 'user-password');
      users.outages = LIMIT * 4;
      for (let i = 0; i < LIMIT * 4; i += 1) {
        const error = await rejection(users.login('user@example.com', 'whatever', { address }));
        expect(error).to.be.instanceOf(StoreUnavailableError);
      }
      const pair = await users.login('user@example.com', 'user-password', { address });
      expect(pair.access_token).to.be.a('string');
      // and the counters hold no point of those attempts: the full limit of failures is left
      for (let i = 0; i < LIMIT; i += 1) {
        expect(
          await rejection(users.login('user@example.com', 'wrong', { address })),
        ).to.be.instanceOf(InvalidCredentialsError);
      }
      expect(
        await rejection(users.login('user@example.com', 'wrong', { address })),
      ).to.be.instanceOf(TooManyAttemptsError);
    });

    it('a login refused because bcrypt is busy (503) counts as nothing either', async () => {
      const security = configure({ BCRYPT_MAX_QUEUED: '1' });
      await users.add('user@example.com', 'user-password');
      let release = () => {};
      const held = security.hasher.workLimit.run(
        () => new Promise<void>((done) => (release = done)),
      );
      for (let i = 0; i < LIMIT * 2; i += 1) {
        expect(
          await rejection(users.login('user@example.com', 'wrong', { address })),
        ).to.be.instanceOf(ServerBusyError);
      }
      release();
      await held;
      await users.login('user@example.com', 'user-password', { address });
    });

    it('successful logins never count against the address: many more than its limit from one address all log in', async () => {
      configure();
      await users.add('user@example.com', 'user-password');
      await users.add('other@example.com', 'other-password');
      for (let i = 0; i < 30; i += 1) {
        const [name, password] =
          i % 2 ? ['user@example.com', 'user-password'] : ['other@example.com', 'other-password'];
        await users.login(name, password, { address });
      }
      // the address's full budget of failures is still there
      for (let i = 0; i < 5; i += 1) {
        expect(
          await rejection(users.login(`ghost${i}@example.com`, 'x', { address })),
        ).to.be.instanceOf(InvalidCredentialsError);
      }
      expect(await rejection(users.login('ghost9@example.com', 'x', { address }))).to.be.instanceOf(
        TooManyAttemptsError,
      );
      void b;
    });
  });
});
