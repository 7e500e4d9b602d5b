import { expect } from 'chai';
import { BaseAppSettings } from '../../src/config/base-app-settings';
import { StoreUnavailableError, TooManyAttemptsError } from '../../src/errors/security-errors';
import { memoryLoginLimiters } from '../../src/throttling/login-limiters';
import { RegistrationThrottle } from '../../src/throttling/registration-throttle';
import { ThrottleKeys } from '../../src/throttling/throttle-keys';
import { freezeDate } from '../helpers/frozen-date';
import type { LimiterBackend } from '../helpers/limiter-backends';
import { onEachLimiterBackend } from '../helpers/limiter-backends';
import { rejection } from '../helpers/rejection';
import { testEnvironment } from '../helpers/test-environment';

describe('RegistrationThrottle: REGISTER_MAX_PER_ADDRESS an hour (catalogue K3, issue 11)', () => {
  onEachLimiterBackend((backend: () => LimiterBackend) => {
    let throttle: RegistrationThrottle;
    const client = { address: '198.51.100.20' };
    beforeEach(() => {
      const settings = new BaseAppSettings(testEnvironment({ REGISTER_MAX_PER_ADDRESS: '3' }));
      throttle = new RegistrationThrottle(
        backend().limiters(settings).registration,
        settings,
        new ThrottleKeys(settings),
      );
    });

    const register = () => throttle.run(client, () => Promise.resolve('created'));

    it('lets the limit through, then 429 with Retry-After; other addresses are not affected', async () => {
      for (let i = 0; i < 3; i += 1) expect(await register()).to.equal('created');
      const refused = await rejection(register());
      expect(refused).to.be.instanceOf(TooManyAttemptsError);
      expect((refused as TooManyAttemptsError).retryAfterSeconds).to.be.within(3500, 3600);
      await throttle.run({ address: '198.51.100.21' }, () => Promise.resolve());
    });

    it('a registration whose work throws (a 503) counts as nothing', async () => {
      for (let i = 0; i < 10; i += 1) {
        const error = await rejection(
          throttle.run(client, () => Promise.reject(new StoreUnavailableError())),
        );
        expect(error).to.be.instanceOf(StoreUnavailableError);
      }
      for (let i = 0; i < 3; i += 1) await register();
      expect(await rejection(register())).to.be.instanceOf(TooManyAttemptsError);
    });

    it('of 30 concurrent registrations from one address, exactly the limit run', async () => {
      let ran = 0;
      const results = await Promise.allSettled(
        Array.from({ length: 30 }, () =>
          throttle.run(client, () => {
            ran += 1;
            return Promise.resolve();
          }),
        ),
      );
      expect(ran).to.equal(3);
      expect(results.filter((r) => r.status === 'rejected')).to.have.length(27);
    });
  });

  it('the window is an hour (memory, frozen clock)', async () => {
    const date = freezeDate();
    try {
      const settings = new BaseAppSettings(testEnvironment({ REGISTER_MAX_PER_ADDRESS: '1' }));
      const throttle = new RegistrationThrottle(
        memoryLoginLimiters(settings).registration,
        settings,
        new ThrottleKeys(settings),
      );
      await throttle.begin({ address: '192.0.2.9' });
      expect(await rejection(throttle.begin({ address: '192.0.2.9' }))).to.be.instanceOf(
        TooManyAttemptsError,
      );
      date.tick(3_600_000);
      await throttle.begin({ address: '192.0.2.9' });
    } finally {
      date.uninstall();
    }
  });
});
