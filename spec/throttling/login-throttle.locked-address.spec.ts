import { expect } from 'chai';
import { AuditTrail } from '../../src/audit/audit-trail';
import { systemClock } from '../../src/clock/clock';
import { BaseAppSettings } from '../../src/config/base-app-settings';
import { TooManyAttemptsError } from '../../src/errors/security-errors';
import { memoryLoginLimiters } from '../../src/throttling/login-limiters';
import { LoginThrottle } from '../../src/throttling/login-throttle';
import { ThrottleKeys } from '../../src/throttling/throttle-keys';
import { testEnvironment } from '../helpers/test-environment';

describe('an address that is locked keeps locking accounts', () => {
  it('attempts refused by the address lock do not count against the accounts they name', async () => {
    const settings = new BaseAppSettings(
      testEnvironment({ LOGIN_MAX_ATTEMPTS: '5', LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '5' }),
    );
    const throttle = new LoginThrottle(
      memoryLoginLimiters(settings),
      settings,
      new AuditTrail(systemClock),
      new ThrottleKeys(settings),
    );
    const attacker = '198.51.100.9';
    // the attacker uses up its address
    for (let i = 0; i < 5; i += 1)
      await (await throttle.begin({ username: `x${i}`, address: attacker })).failed();
    // every further attempt is refused at the address (429) before any password is checked...
    for (let i = 0; i < 6; i += 1) {
      const refused = await throttle
        .begin({ username: 'victim@example.com', address: attacker })
        .catch((e: unknown) => e);
      expect(refused).to.be.instanceOf(TooManyAttemptsError);
    }
    // ...yet the victim, from its own address and with its right password, is locked out
    const victim = await throttle
      .begin({ username: 'victim@example.com', address: '192.0.2.1' })
      .catch((e: unknown) => e);
    expect(victim).not.to.be.instanceOf(TooManyAttemptsError);
  });
});
