import type { AuditTrail } from '../audit/audit-trail';
import type { LoginClient } from '../auth/login-client';
import type { UserAdapter } from '../auth/user-adapter';
import type { Clock } from '../clock/clock';
import { InvalidCredentialsError, SecondFactorStateError } from '../errors/security-errors';
import type { LoginThrottle } from '../throttling/login-throttle';
import type { RecoveryCodes } from './recovery-codes';
import type { SecretCipher } from './secret-cipher';
import type { SecondFactorRecord } from './second-factor-record';
import { readSecondFactor, writeSecondFactor } from './second-factor-record';
import { newTotpSecret, stepOfCode, totpUri } from './totp-codes';

/** What an enrolment shows the user, once. */
export interface SecondFactorEnrolment {
  /** The `otpauth://totp/…` URI, for a QR code (it holds the secret: show it, never log it). */
  otpauth_url: string;
  /** Single-use codes for when the authenticator is lost. */
  recovery_codes: string[];
}

/** The keys a second factor needs: none without `TOTP_ENCRYPTION_KEY` in production. */
export interface SecondFactorKeys {
  cipher: SecretCipher;
  recovery: RecoveryCodes;
}

/** What each missing part of the second factor is, in a configuration error. */
export const SECOND_FACTOR_NEEDS = {
  replaceSecondFactor: 'is not implemented by the user authentication',
  TOTP_ENCRYPTION_KEY: 'is not set (required in production: at least 32 random bytes)',
} as const;

/** Which codes a step accepts, and what the record becomes once one matched. */
interface CodeRule {
  /** The record's state the step needs. */
  on: boolean;
  recovery: boolean;
  next: (used: SecondFactorRecord) => SecondFactorRecord | null;
  /** Runs once the code matched, before the record is written. */
  before?: () => Promise<void>;
}

/**
 * The TOTP second factor (RFC 6238) around the application's users: enrolment, its
 * confirmation by a first code, the code a login's second step needs, recovery codes, and
 * disabling. The record is the adapter's (`getSecondFactor`), changed only through its
 * compare-and-set (`replaceSecondFactor`), and every accepted code moves the record's last
 * step forward in that same write: a code (or recovery code) is accepted once, whichever
 * instance sees it first; a replay, or a code older than the last one accepted, is refused.
 * Every code is a guess counted by the login throttle, as a password is.
 */
export class SecondFactor<User> {
  constructor(
    private readonly users: UserAdapter<User>,
    private readonly keys: SecondFactorKeys | null,
    private readonly issuer: string,
    private readonly throttle: LoginThrottle,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  /** Whether the adapter can store second factors (`replaceSecondFactor`) and a key is set. */
  get canServe(): boolean {
    return this.missing === null;
  }

  /** What the second factor lacks: the adapter's `replaceSecondFactor`, or the key; or null. */
  get missing(): 'replaceSecondFactor' | 'TOTP_ENCRYPTION_KEY' | null {
    if (typeof this.users.replaceSecondFactor !== 'function') return 'replaceSecondFactor';
    return this.keys === null ? 'TOTP_ENCRYPTION_KEY' : null;
  }

  /** Whether a login of the user needs a code. */
  isOn(user: User): boolean {
    return readSecondFactor(this.users.getSecondFactor(user))?.on === true;
  }

  /** The stored record, as a challenge is bound to it. */
  stateOf(user: User): string {
    return this.users.getSecondFactor(user) ?? '';
  }

  /**
   * A new secret and recovery codes, waiting for a first code (`confirm`); replaces an
   * enrolment not confirmed yet.
   * @throws SecondFactorStateError (409) when the second factor is on already.
   */
  async enroll(user: User, client: LoginClient = {}): Promise<SecondFactorEnrolment> {
    const { cipher, recovery } = this.required();
    const userId = String(this.users.getUserId(user));
    const stored = this.users.getSecondFactor(user) ?? null;
    if (readSecondFactor(stored)?.on === true) throw new SecondFactorStateError('on');
    const secret = newTotpSecret();
    const { codes, digests } = recovery.issue(userId);
    const next = writeSecondFactor({
      v: 1,
      on: false,
      secret: cipher.seal(secret, userId),
      step: 0,
      recovery: digests,
    });
    if (!(await this.replace(user, stored, next))) throw new SecondFactorStateError('changed');
    this.audit.record({ type: 'mfa_enrolled', userId, address: client.address });
    return {
      otpauth_url: totpUri(secret, this.issuer, this.users.getUsername(user)),
      recovery_codes: codes,
    };
  }

  /**
   * Turns the enrolled second factor on with a first code from the authenticator.
   * @throws InvalidCredentialsError (401) for a wrong code; SecondFactorStateError (409)
   *   without an enrolment waiting.
   */
  async confirm(
    user: User,
    code: unknown,
    client: LoginClient = {},
    /** Runs once the code matched, before the factor is on (the routes end other sessions). */
    beforeOn?: () => Promise<void>,
  ): Promise<void> {
    await this.prove(user, code, client, {
      on: false,
      recovery: false,
      next: (used) => ({ ...used, on: true }),
      before: beforeOn,
    });
    this.audit.record({ type: 'mfa_enabled', userId: this.idOf(user), address: client.address });
  }

  /**
   * Turns the second factor off, with a fresh code (or a recovery code).
   * @throws InvalidCredentialsError (401) for a wrong code; SecondFactorStateError (409)
   *   when it is not on.
   */
  async disable(user: User, code: unknown, client: LoginClient = {}): Promise<void> {
    await this.prove(user, code, client, { on: true, recovery: true, next: () => null });
    this.audit.record({ type: 'mfa_disabled', userId: this.idOf(user), address: client.address });
  }

  /**
   * The code of a login's second step (or a recovery code), against the record as `user`
   * holds it: of two uses of one challenge, one gets through.
   * @throws InvalidCredentialsError (401) for a wrong or spent code.
   */
  async verify(user: User, code: unknown, client: LoginClient = {}): Promise<void> {
    await this.prove(user, code, client, { on: true, recovery: true, next: (used) => used });
  }

  private async prove(user: User, code: unknown, client: LoginClient, rule: CodeRule) {
    this.required();
    const userId = this.idOf(user);
    const stored = this.users.getSecondFactor(user) ?? null;
    const record = readSecondFactor(stored);
    if (record === null || record.on !== rule.on) throw new SecondFactorStateError('state');
    const attempt = await this.throttle.begin(
      { username: this.users.loginNameKey(this.users.getUsername(user)), address: client.address },
      { secondFactorOf: userId },
    );
    let accepted = false;
    let used: SecondFactorRecord | 'spent' | null;
    try {
      used = typeof code === 'string' ? this.match(record, userId, code, rule.recovery) : null;
      if (used !== null && used !== 'spent') {
        // Before the record changes: should it fail, nothing changed and the code is unspent.
        await rule.before?.();
        const next = rule.next(used);
        accepted = await this.replace(user, stored, next === null ? null : writeSecondFactor(next));
      }
    } catch (error) {
      await attempt.abandoned();
      throw error;
    }
    if (!accepted) {
      await attempt.failed();
      this.audit.record({
        type: 'login_failed',
        // Spent: accepted once already, here or (the compare-and-set lost) on another instance.
        reason: used === null ? 'wrong_code' : 'replayed_code',
        userId,
        address: client.address,
      });
      throw new InvalidCredentialsError();
    }
    await attempt.succeeded();
    if (used !== null && used !== 'spent' && used.recovery.length < record.recovery.length) {
      this.audit.record({ type: 'recovery_code_used', userId, address: client.address });
    }
  }

  /**
   * The record once `code` is spent; `'spent'` for a code accepted before (its step, or an
   * earlier one); `null` for no code of the record now.
   */
  private match(
    record: SecondFactorRecord,
    userId: string,
    code: string,
    recovery: boolean,
  ): SecondFactorRecord | 'spent' | null {
    const keys = this.required();
    if (keys.recovery.looksLikeRecoveryCode(code)) {
      if (!recovery) return null;
      const index = keys.recovery.find(userId, code, record.recovery);
      if (index < 0) return null;
      return { ...record, recovery: record.recovery.filter((_, at) => at !== index) };
    }
    const secret = keys.cipher.open(record.secret, userId);
    const step = secret === null ? null : stepOfCode(secret, code, this.clock.now());
    if (step === null) return null;
    // A code of the last accepted step, or of one before it, is spent.
    return step <= record.step ? 'spent' : { ...record, step };
  }

  private replace(user: User, expected: string | null, next: string | null): Promise<boolean> {
    const replace = this.users.replaceSecondFactor?.bind(this.users);
    return replace === undefined ? Promise.resolve(false) : replace(user, expected, next);
  }

  private idOf(user: User): string {
    return String(this.users.getUserId(user));
  }

  private required(): SecondFactorKeys {
    if (this.keys === null) throw new SecondFactorStateError('no_key');
    return this.keys;
  }
}
