import { expect } from 'chai';
import { AuditTrail } from '../../src/audit/audit-trail';
import { systemClock } from '../../src/clock/clock';
import { BaseAppSettings } from '../../src/config/base-app-settings';
import { TooManyAttemptsError } from '../../src/errors/security-errors';
import { memoryLoginLimiters } from '../../src/throttling/login-limiters';
import { LoginThrottle } from '../../src/throttling/login-throttle';
import { ThrottleKeys } from '../../src/throttling/throttle-keys';
import { freezeDate } from '../helpers/frozen-date';
import type { FrozenDate } from '../helpers/frozen-date';
import { testEnvironment } from '../helpers/test-environment';

describe('throttling of failed logins per address', () => {
  let date: FrozenDate;
  let throttle: LoginThrottle;
  const ADDRESS = '203.0.113.7';
  const LIMIT = 10;
  beforeEach(() => {
    date = freezeDate();
    const settings = new BaseAppSettings(
      testEnvironment({
        LOGIN_MAX_ATTEMPTS: '3',
        LOGIN_MAX_ATTEMPTS_PER_ADDRESS: String(LIMIT),
        LOGIN_LOCKOUT_SECONDS: '900',
      }),
    );
    throttle = new LoginThrottle(
      memoryLoginLimiters(settings),
      settings,
      new AuditTrail(systemClock),
      new ThrottleKeys(settings),
    );
  });
  afterEach(() => date.uninstall());

  /** Password spraying: one guess per account, all from one address, until refused. */
  async function sprayUntilRefused(prefix: string): Promise<number> {
    for (let n = 0; ; n += 1) {
      try {
        const a = await throttle.begin({ username: `${prefix}${n}@example.com`, address: ADDRESS });
        await a.failed();
      } catch (error) {
        if (error instanceof TooManyAttemptsError) return n;
        throw error;
      }
    }
  }

  it('holds: successes on the attacker’s own account, interleaved or in parallel, launder nothing', async () => {
    let failures = 0;
    for (let round = 0; round < 50; round += 1) {
      const inFlight = await Promise.all(
        [1, 2, 3].map(() =>
          throttle.begin({ username: 'me@example.com', address: ADDRESS }).catch(() => undefined),
        ),
      );
      try {
        const f = await throttle.begin({ username: `v${round}@example.com`, address: ADDRESS });
        await f.failed();
        failures += 1;
      } catch {
        /* refused */
      }
      for (const s of inFlight) await s?.succeeded();
    }
    expect(failures).to.be.at.most(LIMIT);
  });

  it('successes in flight when the counting window ends give the next window more failures than the limit', async () => {
    // The window starts with the attacker's first counted attempt; just before it ends, the
    // attacker starts logins on its own accounts (bcrypt takes ~0.25 s) that finish after it.
    const inFlight = [];
    for (let i = 0; i < LIMIT; i += 1) {
      inFlight.push(await throttle.begin({ username: `me${i % 4}@example.com`, address: ADDRESS }));
    }
    date.tick(900_000);
    for (const s of inFlight) await s.succeeded(); // reward(1) each, on a window that has expired
    const guesses = await sprayUntilRefused('victim');
    expect(guesses, 'failed guesses allowed in one window').to.be.at.most(LIMIT);
  });
});
