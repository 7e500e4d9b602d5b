import { expect } from 'chai';
import { AuditTrail } from '../../src/audit/audit-trail';
import { systemClock } from '../../src/clock/clock';
import { BaseAppSettings } from '../../src/config/base-app-settings';
import { TooManyAttemptsError } from '../../src/errors/security-errors';
import type { LoginAttempt } from '../../src/throttling/login-throttle';
import { LoginThrottle } from '../../src/throttling/login-throttle';
import { ThrottleKeys } from '../../src/throttling/throttle-keys';
import type { LimiterBackend } from '../helpers/limiter-backends';
import { onEachLimiterBackend } from '../helpers/limiter-backends';
import { rejection } from '../helpers/rejection';
import { testEnvironment } from '../helpers/test-environment';

const OWNER = 'admin@example.com';
const HOME = '2001:db8:aa::1';

/**
 * Attack review: 100 guesses from 20 /64s of one /56 (an ordinary home line) locked the
 * admin out everywhere, again every 15 minutes. An address the account logged in from is not
 * held by the account-wide lock.
 */
describe('the account-wide lock does not hold an address the owner logged in from', () => {
  onEachLimiterBackend((backend: () => LimiterBackend) => {
    let throttle: LoginThrottle;
    beforeEach(() => {
      const settings = new BaseAppSettings(testEnvironment());
      throttle = new LoginThrottle(
        backend().limiters(settings),
        settings,
        new AuditTrail(systemClock),
        new ThrottleKeys(settings),
      );
    });
    const attempt = (address: string): LoginAttempt => ({ username: OWNER, address });
    const spread = async () => {
      // LOGIN_MAX_ATTEMPTS_PER_ACCOUNT (100) failures, 5 from each of 20 /64s of one /56.
      for (let net = 0; net < 20; net += 1) {
        for (let i = 0; i < 5; i += 1) {
          await (
            await throttle.begin(attempt(`2001:db8:bb:${net.toString(16)}::${i + 1}`))
          ).failed();
        }
      }
    };

    it('after the spread, the owner at home still logs in; a new address is locked', async () => {
      await (await throttle.begin(attempt(HOME))).succeeded();
      // Real timers run between the login and the attack (a store's expiry timers too).
      await new Promise((next) => setTimeout(next, 20));
      await spread();
      // The owner at home is let through (and succeeds).
      await (await throttle.begin(attempt(HOME))).succeeded();
      expect(await rejection(throttle.begin(attempt('203.0.113.50')))).to.be.instanceOf(
        TooManyAttemptsError,
      );
    });

    it('a known address still has its own limit: 5 failures there lock it', async () => {
      await (await throttle.begin(attempt(HOME))).succeeded();
      for (let i = 0; i < 5; i += 1) await (await throttle.begin(attempt(HOME))).failed();
      expect(await rejection(throttle.begin(attempt(HOME)))).to.be.instanceOf(TooManyAttemptsError);
    });

    it('without a success from it, an address is held like any other', async () => {
      await spread();
      expect(await rejection(throttle.begin(attempt(HOME)))).to.be.instanceOf(TooManyAttemptsError);
    });
  });
});
