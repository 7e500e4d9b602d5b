import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { AuditTrail } from '../audit/audit-trail';
import type { BaseAppSettings } from '../config/base-app-settings';
import { StoreUnavailableError, TooManyAttemptsError } from '../errors/security-errors';
import { throttlingAddress } from './client-address';
import { limiterCall } from './limiter-call';
import type { LoginLimiters } from './login-limiters';
import { loginLimiterOptions } from './login-limiters';
import type { ThrottleKeys } from './throttle-keys';

/** Who is trying to log in. */
export interface LoginAttempt {
  /** The login name as typed; unknown names are counted like existing ones. */
  username: string;
  /** The client address (Koa's `ctx.ip`: `X-Forwarded-For` only when `app.proxy` is set). */
  address?: string | undefined;
}

/**
 * An attempt that was let through, counted until its outcome is known. Exactly one outcome
 * counts; later calls do nothing.
 */
export interface CountedAttempt {
  /**
   * The credentials matched: the account's consecutive failures from this address end, and
   * the attempt's own points are given back (a success never counts).
   */
  succeeded(): Promise<void>;
  /** The credentials did not match: the attempt that reaches a limit locks. */
  failed(): Promise<void>;
  /**
   * No verdict (a store was down, bcrypt was busy, the lookup threw): the attempt counts as
   * nothing and its points are given back. Never throws.
   */
  abandoned(): Promise<void>;
}

/** The login counters, in the order an attempt is counted. */
type LoginCounter = 'address' | 'account' | 'accountAddress' | 'secondFactor';

/** What an attempt is: a password (the default), or a second factor's code. */
export interface AttemptKind {
  /**
   * A code of this user (the id): also counted on the user's second-factor counter
   * (`MFA_MAX_ATTEMPTS`), keyed by the id, so that no other account shares it.
   */
  secondFactorOf?: string;
}

/** One point counted on one counter for one attempt. */
interface CountedPoint {
  kind: LoginCounter;
  key: string;
  /** The count, this attempt included. */
  count: number;
  /** When the counting window the point went into ends (`Date.now()` time, as the limiter's). */
  windowEnd: number;
}

const AUDIT_SCOPES = {
  address: 'address',
  account: 'account',
  accountAddress: 'account_address',
  secondFactor: 'second_factor',
} as const;

/** Counters of consecutive failures: a success ends them (the others give its point back). */
const CONSECUTIVE: ReadonlySet<LoginCounter> = new Set(['accountAddress', 'secondFactor']);

/**
 * Brute-force protection of logins (ASVS 6.3.1), after OWASP's and rate-limiter-flexible's
 * "login endpoint protection": consecutive failures per account *and* client address lock
 * that pair after `LOGIN_MAX_ATTEMPTS`; failures of the account from all addresses lock it
 * for everyone only after the far higher `LOGIN_MAX_ATTEMPTS_PER_ACCOUNT`; failures from one
 * address across accounts lock the address after `LOGIN_MAX_ATTEMPTS_PER_ADDRESS`. So a
 * stranger's guesses from elsewhere do not lock a user out, while guessing stays bounded
 * per address, per account and per pair.
 *
 * Each attempt is counted *before* the password is checked, atomically in the limiter, so a
 * burst of parallel guesses cannot get past a limit. Only failures count in the end: a
 * success gives its points back and ends the pair's consecutive failures, an attempt
 * refused by one counter gives back what it counted on the others (and, the address being
 * counted first, a refused address touches no account counter at all), and an attempt with
 * no verdict (`abandoned`, e.g. a 503) gives everything back. The failure that reaches a
 * limit is still answered normally; from then on what it locked answers 429 for
 * `LOGIN_LOCKOUT_SECONDS`, whatever the password.
 */
export class LoginThrottle {
  private readonly lockoutSeconds: number;
  private readonly maxAttempts: Record<LoginCounter, number>;
  private readonly counters: Record<LoginCounter, RateLimiterAbstract>;

  constructor(
    private readonly limiters: LoginLimiters,
    settings: BaseAppSettings,
    private readonly audit: AuditTrail,
    private readonly keys: ThrottleKeys,
  ) {
    this.lockoutSeconds = settings.LOGIN_LOCKOUT_SECONDS;
    this.maxAttempts = {
      address: settings.LOGIN_MAX_ATTEMPTS_PER_ADDRESS,
      account: settings.LOGIN_MAX_ATTEMPTS_PER_ACCOUNT,
      accountAddress: settings.LOGIN_MAX_ATTEMPTS,
      secondFactor: settings.MFA_MAX_ATTEMPTS,
    };
    this.counters = {
      address: limiters.address,
      account: limiters.account,
      accountAddress: limiters.accountAddress,
      secondFactor:
        limiters.secondFactor ??
        new RateLimiterMemory(loginLimiterOptions(settings, 'secondFactor')),
    };
  }

  /**
   * Counts an attempt.
   * @throws TooManyAttemptsError when the address, the account or the pair is locked.
   * @throws StoreUnavailableError when the limiter's store does not answer.
   */
  async begin(attempt: LoginAttempt, kind: AttemptKind = {}): Promise<CountedAttempt> {
    const counted: CountedPoint[] = [];
    const { counters, known } = this.keysOf(attempt, kind);
    try {
      for (const [kind, key] of counters) {
        // An address the account logged in from is not held by the account-wide lock (and
        // adds nothing to it): strangers elsewhere cannot lock the owner out there. Its pair
        // and address counters still hold.
        if (kind === 'account' && known !== undefined && (await this.isKnown(known))) continue;
        counted.push(await this.count(kind, key));
      }
    } catch (error) {
      await this.giveBack(counted);
      throw error;
    }
    let settled = false;
    const once =
      (outcome: () => Promise<void>): (() => Promise<void>) =>
      async () => {
        if (settled) return;
        settled = true;
        await outcome();
      };
    return {
      succeeded: once(async () => {
        for (const point of counted.filter((c) => CONSECUTIVE.has(c.kind))) {
          await limiterCall(this.counters[point.kind], (l) => l.delete(point.key));
        }
        await this.giveBack(
          counted.filter((c) => !CONSECUTIVE.has(c.kind)),
          true,
        );
        if (known !== undefined) await this.markKnown(known);
      }),
      failed: once(async () => {
        for (const point of counted) await this.lockAtLimit(point, attempt.address);
      }),
      abandoned: once(() => this.giveBack(counted)),
    };
  }

  /**
   * The owner proved control of the account from this address another way (a password reset
   * through a mailed link): the address becomes known to the account, as after a login, so
   * that an account-wide lock strangers keep up does not hold there, and the pair's failures
   * end. Throws only `StoreUnavailableError`.
   */
  async proven(attempt: LoginAttempt): Promise<void> {
    const { counters, known } = this.keysOf(attempt);
    const pair = counters.find(([kind]) => kind === 'accountAddress');
    if (pair !== undefined)
      await limiterCall(this.counters.accountAddress, (l) => l.delete(pair[1]));
    if (known !== undefined) await this.markKnown(known);
  }

  /**
   * The counters an attempt is counted on, address first (no address, no address counter),
   * and the key of the account's mark for the address (none without an address).
   */
  private keysOf(
    attempt: LoginAttempt,
    kind: AttemptKind = {},
  ): {
    counters: [LoginCounter, string][];
    known: string | undefined;
  } {
    const name = attempt.username.trim().toLowerCase();
    const address = attempt.address ? throttlingAddress(attempt.address) : undefined;
    const counters: [LoginCounter, string][] = [];
    if (address !== undefined) counters.push(['address', this.keys.of('address', address)]);
    counters.push(['account', this.keys.of('account', name)]);
    counters.push([
      'accountAddress',
      this.keys.of('account_address', JSON.stringify([name, address ?? null])),
    ]);
    if (kind.secondFactorOf !== undefined) {
      counters.push(['secondFactor', this.keys.of('second_factor', kind.secondFactorOf)]);
    }
    const known =
      address === undefined || this.limiters.knownAddress === undefined
        ? undefined
        : this.keys.of('known_address', JSON.stringify([name, address]));
    return { counters, known };
  }

  private async isKnown(key: string): Promise<boolean> {
    const mark = await limiterCall(this.limiters.knownAddress!, (l) => l.get(key));
    return mark !== null && mark.consumedPoints > 0;
  }

  /** A success marks the address known to the account, for `KNOWN_ADDRESS_DAYS` from now. */
  private async markKnown(key: string): Promise<void> {
    const limiter = this.limiters.knownAddress!;
    await limiterCall(limiter, (l) => l.set(key, 1, limiter.duration));
  }

  /** Counts one attempt on one counter; 429 past the limit. */
  private async count(kind: LoginCounter, key: string): Promise<CountedPoint> {
    // Taken before the call: the window cannot end later than this plus what is left of it,
    // however long the store took to answer.
    const sentAt = Date.now();
    let result: RateLimiterRes;
    try {
      result = await limiterCall(this.counters[kind], (l) => l.penalty(key));
    } catch (error) {
      // No answer in time, yet the store may have counted (a frozen Redis runs it later):
      // take the point back behind it, so that a 503 counts as nothing.
      if (error instanceof StoreUnavailableError) {
        await limiterCall(this.counters[kind], (l) => l.reward(key, 1)).catch(() => undefined);
      }
      throw error;
    }
    if (result.consumedPoints > this.maxAttempts[kind]) {
      throw new TooManyAttemptsError(Math.max(1, Math.ceil(result.msBeforeNext / 1000)));
    }
    return { kind, key, count: result.consumedPoints, windowEnd: sentAt + result.msBeforeNext };
  }

  /**
   * Takes the points back. Only within the window each was counted in: a point given back
   * to a window that has ended would open the next one with credit. Best effort unless
   * `strict`: it runs after another error, which it must not hide.
   */
  private async giveBack(points: readonly CountedPoint[], strict = false): Promise<void> {
    for (const point of points) {
      if (Date.now() >= point.windowEnd) continue;
      try {
        await limiterCall(this.counters[point.kind], (l) => l.reward(point.key, 1));
      } catch (error) {
        if (strict) throw error;
      }
    }
  }

  /** A failure that reached the limit locks, from now, for the whole lockout. */
  private async lockAtLimit(point: CountedPoint, address: string | undefined): Promise<void> {
    if (point.count !== this.maxAttempts[point.kind]) return;
    await limiterCall(this.counters[point.kind], (l) => l.block(point.key, this.lockoutSeconds));
    this.audit.record({
      type: 'account_locked',
      scope: AUDIT_SCOPES[point.kind],
      key: point.key,
      retryAfterSeconds: this.lockoutSeconds,
      address,
    });
  }
}
