import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { LoginClient } from '../auth/login-client';
import type { BaseAppSettings } from '../config/base-app-settings';
import { TooManyAttemptsError } from '../errors/security-errors';
import { limiterCall } from './limiter-call';
import { throttlingAddress } from './client-address';
import type { ThrottleKeys } from './throttle-keys';

/** A registration that was let through and counted. */
export interface CountedRegistration {
  /** No verdict (a store was down, bcrypt was busy): it counts as nothing. Never throws. */
  abandoned(): Promise<void>;
}

/**
 * Registrations per client address and hour (`REGISTER_MAX_PER_ADDRESS`): each costs a
 * bcrypt hash and a row, so a storm from one address is refused with 429 before either.
 * Every registration that gets an answer counts (201 and 409 alike: a 409 tells whether an
 * email is registered); one abandoned on an error (a 503) counts as nothing. Without a
 * client address nothing is counted. IPv6 clients count by their /64 (`throttlingAddress`).
 */
export class RegistrationThrottle {
  constructor(
    private readonly limiter: RateLimiterAbstract,
    private readonly settings: BaseAppSettings,
    private readonly keys: ThrottleKeys,
  ) {}

  /**
   * Counts a registration from `client`.
   * @throws TooManyAttemptsError past the address's limit for this hour.
   * @throws StoreUnavailableError when the limiter's store does not answer.
   */
  async begin(client: LoginClient = {}): Promise<CountedRegistration> {
    if (!client.address) return { abandoned: () => Promise.resolve() };
    const key = this.keys.of('registration', throttlingAddress(client.address));
    const result = await limiterCall(this.limiter, (l) => l.penalty(key));
    if (result.consumedPoints > this.settings.REGISTER_MAX_PER_ADDRESS) {
      throw new TooManyAttemptsError(Math.max(1, Math.ceil(result.msBeforeNext / 1000)));
    }
    const windowEnd = Date.now() + result.msBeforeNext;
    let settled = false;
    return {
      abandoned: async () => {
        if (settled || Date.now() >= windowEnd) return;
        settled = true;
        await limiterCall(this.limiter, (l) => l.reward(key, 1)).catch(() => undefined);
      },
    };
  }

  /**
   * Runs `register` as one counted registration: an error thrown by it gives the point
   * back (and is rethrown), anything it returns counts.
   */
  async run<T>(client: LoginClient, register: () => Promise<T>): Promise<T> {
    const counted = await this.begin(client);
    try {
      return await register();
    } catch (error) {
      await counted.abandoned();
      throw error;
    }
  }
}
