import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { LoginClient } from '../auth/login-client';
import type { BaseAppSettings } from '../config/base-app-settings';
import { TooManyAttemptsError } from '../errors/security-errors';
import { pointCounted } from './limiter-call';
import { throttlingAddress } from './client-address';
import type { LoginLimiters } from './login-limiters';
import { loginLimiterOptions } from './login-limiters';
import type { ThrottleKeys } from './throttle-keys';

/** How many times `ACCOUNT_MAIL_MAX_PER_ACCOUNT` one target may get from all addresses. */
const ALL_ADDRESSES_FACTOR = 10;

/**
 * Requests for account mails (an email verification, a password reset), counted per hour:
 *
 * - per client address (`ACCOUNT_MAIL_MAX_PER_ADDRESS`): past it the request is a 429, a limit
 *   on the caller alone;
 * - per target (the account, or the email typed into "forgot password", whether it has an
 *   account or not) and address: past `ACCOUNT_MAIL_MAX_PER_ACCOUNT` the request is answered as
 *   always and no mail goes out, so a stranger can neither flood an inbox nor learn from a
 *   different answer that he reached the limit; his requests do not use up the owner's, who
 *   asks from elsewhere;
 * - per target from all addresses, `ALL_ADDRESSES_FACTOR` times that: what bounds a flood
 *   from many addresses (and what many addresses could use up).
 *
 * The address is counted first, so that a refused address counts nothing for a target (and
 * one address makes at most its limit of target entries an hour). Counters are keyed by HMACs
 * (`ThrottleKeys`), never by the address or email itself.
 */
export class AccountMailThrottle {
  private readonly perTarget: RateLimiterAbstract;
  private readonly perAddress: RateLimiterAbstract;

  constructor(
    limiters: LoginLimiters,
    private readonly settings: BaseAppSettings,
    private readonly keys: ThrottleKeys,
  ) {
    this.perTarget =
      limiters.accountMail ?? new RateLimiterMemory(loginLimiterOptions(settings, 'accountMail'));
    this.perAddress =
      limiters.accountMailAddress ??
      new RateLimiterMemory(loginLimiterOptions(settings, 'accountMailAddress'));
  }

  /**
   * Counts one request from `client` for a mail to `target` (a scope and an id, e.g.
   * `reset:<email key>`).
   * @returns whether a mail may go out (`false` past a target's limit).
   * @throws TooManyAttemptsError past the address's limit for this hour.
   * @throws StoreUnavailableError when the limiter's store does not answer.
   */
  async allows(client: LoginClient, target: string): Promise<boolean> {
    const address = client.address ? throttlingAddress(client.address) : '';
    if (address !== '') {
      const key = this.keys.of('account_mail_address', address);
      const counted = await pointCounted(this.perAddress, key);
      if (counted.consumedPoints > this.settings.ACCOUNT_MAIL_MAX_PER_ADDRESS) {
        throw new TooManyAttemptsError(Math.max(1, Math.ceil(counted.msBeforeNext / 1000)));
      }
    }
    const limit = this.settings.ACCOUNT_MAIL_MAX_PER_ACCOUNT;
    const fromHere = this.keys.of('account_mail_from', JSON.stringify([target, address]));
    if ((await pointCounted(this.perTarget, fromHere)).consumedPoints > limit) return false;
    const fromAll = this.keys.of('account_mail', target);
    const all = await pointCounted(this.perTarget, fromAll);
    return all.consumedPoints <= limit * ALL_ADDRESSES_FACTOR;
  }
}
