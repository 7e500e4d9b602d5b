import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { AuditTrail } from '../../src/audit/audit-trail';
import { systemClock } from '../../src/clock/clock';
import { BaseAppSettings } from '../../src/config/base-app-settings';
import { StoreUnavailableError } from '../../src/errors/security-errors';
import { createRedisClient } from '../../src/revocation/redis-client';
import { redisLoginLimiters } from '../../src/throttling/login-limiters';
import { LoginThrottle } from '../../src/throttling/login-throttle';
import { ThrottleKeys } from '../../src/throttling/throttle-keys';
import { PrivateRedis, untilAnswering } from '../helpers/private-redis';
import { rejection } from '../helpers/rejection';
import { testEnvironment } from '../helpers/test-environment';

/**
 * Item 10 under a frozen Redis (second review): a login attempt answered 503 because Redis
 * froze while counting must count as nothing once Redis goes on and runs the count.
 */
describe('a login attempt answered 503 while Redis was frozen counts as nothing', function () {
  let server: PrivateRedis;
  let redis: Redis;
  before(async () => {
    server = await PrivateRedis.start();
    redis = createRedisClient(server.url, { commandTimeout: 200 });
    await untilAnswering(redis);
  });
  after(async () => {
    server?.resume();
    redis?.disconnect();
    await server?.kill();
  });

  it('after the freeze, the account still has all its LOGIN_MAX_ATTEMPTS', async () => {
    const settings = new BaseAppSettings(
      testEnvironment({ LOGIN_MAX_ATTEMPTS: '5', LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '5' }),
    );
    const throttle = new LoginThrottle(
      redisLoginLimiters(redis, settings, 'frozen:'),
      settings,
      new AuditTrail(systemClock),
      new ThrottleKeys(settings),
    );
    const attempt = { username: 'frozen@example.com', address: '192.0.2.44' };
    server.freeze();
    const refused = await rejection(throttle.begin(attempt));
    server.resume();
    expect(refused).to.be.instanceOf(StoreUnavailableError);
    await untilAnswering(redis);
    for (let i = 0; i < 5; i += 1) await (await throttle.begin(attempt)).failed();
    // The sixth is the first past the limit: the frozen attempt was not counted.
    expect(await rejection(throttle.begin(attempt))).to.have.property(
      'code',
      'ERR_TOO_MANY_ATTEMPTS',
    );
  });
});
