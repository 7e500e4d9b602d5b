import { expect } from 'chai';
import { AuditTrail } from '../../src/audit/audit-trail';
import { systemClock } from '../../src/clock/clock';
import { BaseAppSettings } from '../../src/config/base-app-settings';
import { TooManyAttemptsError } from '../../src/errors/security-errors';
import { throttlingAddress } from '../../src/throttling/client-address';
import { memoryLoginLimiters } from '../../src/throttling/login-limiters';
import { LoginThrottle } from '../../src/throttling/login-throttle';
import { ThrottleKeys } from '../../src/throttling/throttle-keys';
import { rejection } from '../helpers/rejection';
import { testEnvironment } from '../helpers/test-environment';

describe('throttlingAddress: IPv6 clients by their /64 (catalogue L3, issue 12)', () => {
  const cases: [string, string][] = [
    ['192.0.2.1', '192.0.2.1'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['::FFFF:c000:0201', '192.0.2.1'],
    ['0:0:0:0:0:ffff:192.0.2.1', '192.0.2.1'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:DB8:1:2::ffff', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:0000:0000:0000:0001', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['2001:db8:0:0:1::', '2001:db8:0:0::/64'],
    ['1::', '1:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['::', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::ffff:0:1.2.3.4', '0:0:0:0::/64'],
    ['not-an-address', 'not-an-address'],
    ['', ''],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} → ${expected}`, () => {
      expect(throttlingAddress(input)).to.equal(expected);
    });
  }

  it('every spelling of one address, and every address of one /64, is one counter', async () => {
    const settings = new BaseAppSettings(
      testEnvironment({ LOGIN_MAX_ATTEMPTS: '3', LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '4' }),
    );
    const throttle = new LoginThrottle(
      memoryLoginLimiters(settings),
      settings,
      new AuditTrail(systemClock),
      new ThrottleKeys(settings),
    );
    for (let i = 0; i < 4; i += 1) {
      const a = await throttle.begin({ username: `u${i}`, address: `2001:db8:7:7::${i + 1}` });
      await a.failed();
    }
    const rotated = throttle.begin({ username: 'fresh', address: '2001:db8:7:7:abcd:1234:5678:9' });
    expect(await rejection(rotated)).to.be.instanceOf(TooManyAttemptsError);
    await throttle.begin({ username: 'fresh', address: '2001:db8:7:8::1' });
    await throttle.begin({ username: 'fresh', address: '192.0.2.1' });
  });
});
