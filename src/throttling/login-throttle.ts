import { createHash } from 'node:crypto';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { Inject, Service } from 'typedi';
import { AuditTrail } from '../audit/audit-trail';
import { BaseAppSettings } from '../config/base-app-settings';
import { LOGIN_LIMITERS, SECURITY_SETTINGS } from '../container/injection-tokens';
import { StoreUnavailableError, TooManyAttemptsError } from '../errors/security-errors';
import type { LoginLimiters } from './login-limiters';

/** Who is trying to log in. */
export interface LoginAttempt {
  /** The login name as typed; unknown names are counted like existing ones. */
  username: string;
  /** The client address (Koa's `ctx.ip`: `X-Forwarded-For` only when `app.proxy` is set). */
  address?: string | undefined;
}

/** An attempt that was let through, already counted as a failure until it succeeds. */
export interface CountedAttempt {
  /** Resets the account's count (not the address's). */
  succeeded(): Promise<void>;
}

/**
 * Brute-force protection of logins (ASVS 6.3.1). Each attempt is counted *before* the
 * password is checked, atomically in the limiter, so a burst of parallel guesses cannot get
 * past the limit. The attempt that reaches `LOGIN_MAX_ATTEMPTS` is still answered normally;
 * from then on the account is locked for `LOGIN_LOCKOUT_SECONDS`, whatever the password.
 * A success before the limit resets the account's count; the per-address count (a much
 * higher limit) is not reset by a success, so one valid account cannot launder an address.
 */
@Service()
export class LoginThrottle {
  private readonly lockoutSeconds: number;
  private readonly maxAttempts: { account: number; address: number };

  constructor(
    @Inject(LOGIN_LIMITERS) private readonly limiters: LoginLimiters,
    @Inject(SECURITY_SETTINGS) settings: BaseAppSettings,
    private readonly audit: AuditTrail,
  ) {
    this.lockoutSeconds = settings.LOGIN_LOCKOUT_SECONDS;
    this.maxAttempts = {
      account: settings.LOGIN_MAX_ATTEMPTS,
      address: settings.LOGIN_MAX_ATTEMPTS_PER_ADDRESS,
    };
  }

  /**
   * Counts an attempt.
   * @throws TooManyAttemptsError when the account or the address is locked.
   * @throws StoreUnavailableError when the limiter's store does not answer.
   */
  async begin(attempt: LoginAttempt): Promise<CountedAttempt> {
    const accountKey = keyOf(attempt.username.trim().toLowerCase());
    const addressKey = attempt.address ? keyOf(attempt.address) : undefined;
    await this.count('account', accountKey, attempt.address);
    if (addressKey !== undefined) await this.count('address', addressKey, attempt.address);
    return {
      succeeded: async () => {
        await this.call(this.limiters.account, (l) => l.delete(accountKey));
      },
    };
  }

  /** Counts one attempt on one limiter; locks when it reaches the limit; 429 past it. */
  private async count(
    kind: keyof LoginLimiters,
    key: string,
    address: string | undefined,
  ): Promise<void> {
    const limiter = this.limiters[kind];
    const result = await this.call(limiter, (l) => l.penalty(key));
    if (result.consumedPoints > this.maxAttempts[kind]) {
      throw new TooManyAttemptsError(Math.max(1, Math.ceil(result.msBeforeNext / 1000)));
    }
    if (result.consumedPoints === this.maxAttempts[kind]) {
      // The lock runs from the attempt that reached the limit, for the whole lockout.
      await this.call(limiter, (l) => l.block(key, this.lockoutSeconds));
      this.audit.record({
        type: 'account_locked',
        scope: kind,
        key,
        retryAfterSeconds: this.lockoutSeconds,
        address,
      });
    }
  }

  private async call<T>(
    limiter: RateLimiterAbstract,
    operation: (l: RateLimiterAbstract) => Promise<T>,
  ): Promise<T> {
    try {
      return await operation(limiter);
    } catch (error) {
      if (error instanceof RateLimiterRes) throw error;
      throw new StoreUnavailableError();
    }
  }
}

/** Keys hold no login names or addresses, and have a fixed length. */
function keyOf(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url');
}
