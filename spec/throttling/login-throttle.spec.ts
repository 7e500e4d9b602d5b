import { expect } from 'chai';
import { AuditTrail } from '../../src/audit/audit-trail';
import { systemClock } from '../../src/clock/clock';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { BaseAppSettings } from '../../src/config/base-app-settings';
import { StoreUnavailableError, TooManyAttemptsError } from '../../src/errors/security-errors';
import { memoryLoginLimiters } from '../../src/throttling/login-limiters';
import { LoginThrottle } from '../../src/throttling/login-throttle';
import { ThrottleKeys } from '../../src/throttling/throttle-keys';
import { freezeDate } from '../helpers/frozen-date';
import type { FrozenDate } from '../helpers/frozen-date';
import { rejection } from '../helpers/rejection';
import { testEnvironment } from '../helpers/test-environment';

describe('LoginThrottle (catalogue G3)', () => {
  let date: FrozenDate;
  let throttle: LoginThrottle;

  function throttleWith(env: Record<string, string> = {}): LoginThrottle {
    const settings = new BaseAppSettings(
      testEnvironment({
        LOGIN_MAX_ATTEMPTS: '5',
        LOGIN_LOCKOUT_SECONDS: '900',
        LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '12',
        ...env,
      }),
    );
    return new LoginThrottle(
      memoryLoginLimiters(settings),
      settings,
      new AuditTrail(systemClock),
      new ThrottleKeys(settings),
    );
  }

  beforeEach(() => {
    date = freezeDate();
    throttle = throttleWith();
  });
  afterEach(() => date.uninstall());

  /** An attempt whose outcome is not known yet. */
  const attempt = (username: string, address?: string) => throttle.begin({ username, address });
  /** An attempt with wrong credentials. */
  const fail = async (username: string, address?: string) => {
    const counted = await attempt(username, address);
    await counted.failed();
    return counted;
  };
  const succeed = async (username: string, address?: string) =>
    (await attempt(username, address)).succeeded();

  it('lets the attempt that reaches the limit through, then locks the account with Retry-After', async () => {
    for (let i = 0; i < 5; i += 1) await fail('victim@example.com');
    const error = await rejection(fail('victim@example.com'));
    expect(error).to.be.instanceOf(TooManyAttemptsError);
    expect((error as TooManyAttemptsError).retryAfterSeconds).to.equal(900);
  });

  it('keeps the lock for the whole lockout from the attempt that reached the limit, then lifts it', async () => {
    for (let i = 0; i < 5; i += 1) await fail('victim@example.com');
    date.tick(899_000);
    const error = await rejection(fail('victim@example.com'));
    expect((error as TooManyAttemptsError).retryAfterSeconds).to.equal(1);
    date.tick(1_000);
    await fail('victim@example.com');
  });

  it('leaves other accounts alone, and folds the case of the login name', async () => {
    for (let i = 0; i < 5; i += 1) await fail(i % 2 ? 'Victim@Example.com' : 'victim@example.com');
    expect(await rejection(fail('VICTIM@example.com'))).to.be.instanceOf(TooManyAttemptsError);
    await fail('other@example.com');
  });

  it("a success before the limit resets the account's count", async () => {
    for (let i = 0; i < 4; i += 1) await fail('user@example.com');
    await succeed('user@example.com');
    for (let i = 0; i < 5; i += 1) await fail('user@example.com');
    expect(await rejection(fail('user@example.com'))).to.be.instanceOf(TooManyAttemptsError);
  });

  it('counts before the password is checked: of 20 parallel attempts exactly 5 get through', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => fail('burst@example.com')),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(5);
  });

  it('locks a client address past its own, higher limit, across accounts; a success does not reset it', async () => {
    for (let i = 0; i < 11; i += 1) await fail(`user${i}@example.com`, '203.0.113.7');
    await succeed('valid@example.com', '203.0.113.7');
    await fail('user11@example.com', '203.0.113.7');
    expect(await rejection(fail('fresh@example.com', '203.0.113.7'))).to.be.instanceOf(
      TooManyAttemptsError,
    );
    await fail('fresh@example.com', '198.51.100.1');
  });

  it('counts only failures per address: successful logins from one address never lock it', async () => {
    for (let i = 0; i < 30; i += 1) await succeed(`user${i % 3}@example.com`, '203.0.113.8');
    for (let i = 0; i < 11; i += 1) await fail(`other${i}@example.com`, '203.0.113.8');
    await succeed('user0@example.com', '203.0.113.8');
  });

  it('a success on the attempt that reaches the limit does not lock', async () => {
    for (let i = 0; i < 4; i += 1) await fail('user@example.com');
    await succeed('user@example.com');
    await succeed('user@example.com');
  });

  it('refuses settings where the address limit is below the account limit', () => {
    expect(() =>
      throttleWith({ LOGIN_MAX_ATTEMPTS: '10', LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '5' }),
    ).to.throw('LOGIN_MAX_ATTEMPTS_PER_ADDRESS must be an integer from 10 to 100000');
  });

  it('a limiter store that fails → StoreUnavailableError, never a free pass', async () => {
    const broken = new RateLimiterMemory({ points: 5, duration: 900 });
    (broken as unknown as { penalty: RateLimiterAbstract['penalty'] }).penalty = () =>
      Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
    const settings = new BaseAppSettings(testEnvironment());
    const down = new LoginThrottle(
      { accountAddress: broken, account: broken, address: broken, registration: broken },
      settings,
      new AuditTrail(systemClock),
      new ThrottleKeys(settings),
    );
    expect(await rejection(down.begin({ username: 'a' }))).to.be.instanceOf(StoreUnavailableError);
  });
});
