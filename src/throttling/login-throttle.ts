import { createHash } from 'node:crypto';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { AuditTrail } from '../audit/audit-trail';
import type { BaseAppSettings } from '../config/base-app-settings';
import { StoreUnavailableError, TooManyAttemptsError } from '../errors/security-errors';
import type { LoginLimiters } from './login-limiters';

/** Who is trying to log in. */
export interface LoginAttempt {
  /** The login name as typed; unknown names are counted like existing ones. */
  username: string;
  /** The client address (Koa's `ctx.ip`: `X-Forwarded-For` only when `app.proxy` is set). */
  address?: string | undefined;
}

/** An attempt that was let through, counted until its outcome is known. */
export interface CountedAttempt {
  /** The credentials matched: the account's count is reset, the attempt is not counted. */
  succeeded(): Promise<void>;
  /** The credentials did not match: the attempt that reaches a limit locks. */
  failed(): Promise<void>;
}

/**
 * Brute-force protection of logins (ASVS 6.3.1). Each attempt is counted *before* the
 * password is checked, atomically in the limiter, so a burst of parallel guesses cannot get
 * past the limit. Only failures count in the end: a success takes its own point back. The
 * failure that reaches `LOGIN_MAX_ATTEMPTS` is still answered normally; from then on the
 * account is locked for `LOGIN_LOCKOUT_SECONDS`, whatever the password. A success resets the
 * account's count; the per-address count (a much higher limit) keeps the failures before it,
 * so one valid account cannot launder an address.
 */
export class LoginThrottle {
  private readonly lockoutSeconds: number;
  private readonly maxAttempts: { account: number; address: number };

  constructor(
    private readonly limiters: LoginLimiters,
    settings: BaseAppSettings,
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
    // The address first: a locked address spends no point of the account it names, so it
    // cannot be used to lock someone else's account.
    const address = addressKey === undefined ? undefined : await this.count('address', addressKey);
    const account = await this.count('account', accountKey);
    return {
      succeeded: async () => {
        await this.call(this.limiters.account, (l) => l.delete(accountKey));
        // Only within the window the point was counted in: a point given back to a window
        // that has ended would open the next one with credit.
        if (addressKey !== undefined && address !== undefined && Date.now() < address.windowEnd) {
          await this.call(this.limiters.address, (l) => l.reward(addressKey, 1));
        }
      },
      failed: async () => {
        await this.lockAtLimit('account', accountKey, account.count, attempt.address);
        if (addressKey !== undefined && address !== undefined) {
          await this.lockAtLimit('address', addressKey, address.count, attempt.address);
        }
      },
    };
  }

  /**
   * Counts one attempt on one limiter; 429 past the limit.
   * @returns the count, this one included, and when its counting window ends.
   */
  private async count(
    kind: keyof LoginLimiters,
    key: string,
  ): Promise<{ count: number; windowEnd: number }> {
    const result = await this.call(this.limiters[kind], (l) => l.penalty(key));
    if (result.consumedPoints > this.maxAttempts[kind]) {
      throw new TooManyAttemptsError(Math.max(1, Math.ceil(result.msBeforeNext / 1000)));
    }
    return { count: result.consumedPoints, windowEnd: Date.now() + result.msBeforeNext };
  }

  /** A failure that reached the limit locks, from now, for the whole lockout. */
  private async lockAtLimit(
    kind: keyof LoginLimiters,
    key: string,
    count: number | undefined,
    address: string | undefined,
  ): Promise<void> {
    if (count !== this.maxAttempts[kind]) return;
    await this.call(this.limiters[kind], (l) => l.block(key, this.lockoutSeconds));
    this.audit.record({
      type: 'account_locked',
      scope: kind,
      key,
      retryAfterSeconds: this.lockoutSeconds,
      address,
    });
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
