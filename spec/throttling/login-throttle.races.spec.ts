import { expect } from 'chai';
import { AuditTrail } from '../../src/audit/audit-trail';
import { systemClock } from '../../src/clock/clock';
import { BaseAppSettings } from '../../src/config/base-app-settings';
import { memoryLoginLimiters } from '../../src/throttling/login-limiters';
import { LoginThrottle } from '../../src/throttling/login-throttle';
import { ThrottleKeys } from '../../src/throttling/throttle-keys';
import { testEnvironment } from '../helpers/test-environment';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
describe('parallel mixes of successes and failures from one address', () => {
  for (let run = 0; run < 30; run += 1) {
    it(`run ${run}`, async () => {
      const LIMIT = 10;
      const settings = new BaseAppSettings(
        testEnvironment({ LOGIN_MAX_ATTEMPTS: '3', LOGIN_MAX_ATTEMPTS_PER_ADDRESS: String(LIMIT) }),
      );
      const t = new LoginThrottle(
        memoryLoginLimiters(settings),
        settings,
        new AuditTrail(systemClock),
        new ThrottleKeys(settings),
      );
      let failures = 0;
      let victimGuesses = 0;
      await Promise.all(
        Array.from({ length: 200 }, async (_, i) => {
          await sleep(Math.random() * 20);
          const success = Math.random() < 0.5;
          const username = success ? `me${i % 3}` : Math.random() < 0.5 ? 'victim' : `v${i}`;
          const a = await t.begin({ username, address: 'A' }).catch(() => undefined);
          if (!a) return;
          await sleep(Math.random() * 20);
          if (success) await a.succeeded();
          else {
            failures += 1;
            if (username === 'victim') victimGuesses += 1;
            await a.failed();
          }
        }),
      );
      expect(failures).to.be.at.most(LIMIT);
      expect(victimGuesses).to.be.at.most(3);
    });
  }
});
