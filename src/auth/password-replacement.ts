import type { ErrorReporter } from '../logging/error-reporter';
import type { PasswordHasher } from '../password/password-hasher';
import type { RevocationService } from '../revocation/revocation-service';
import type { SessionService } from '../sessions/session-service';
import { KeyedSerializer } from './keyed-serializer';
import type { UserAdapter } from './user-adapter';

/** How often, and how far apart, a new password's last cutoff is tried again. */
const CUTOFF_RETRIES = 5;
const CUTOFF_RETRY_MS = 1000;

/**
 * Putting a new password in place of the one a user had, the one way shared by the password
 * change and the password reset: the new hash is made, every session started before ends,
 * the hash is stored only if the stored one is still the one the caller checked (the
 * adapter's compare-and-set: of concurrent replacements, on any instance, one wins), and
 * sessions started meanwhile end too. In this process the replacements of one user (and the
 * cheap-hash upgrades of its logins) run one at a time.
 */
export class PasswordReplacement<User> {
  /** One replacement per user at a time, in this process. */
  private readonly inTurn = new KeyedSerializer();

  constructor(
    private readonly users: UserAdapter<User>,
    private readonly hasher: PasswordHasher,
    private readonly revocation: RevocationService,
    private readonly sessions: SessionService,
    private readonly reportError: ErrorReporter,
  ) {}

  /** Runs `task` after the user's replacements that came before it, in this process. */
  inTurnOf<T>(userId: string, task: () => Promise<T>): Promise<T> {
    return this.inTurn.run(userId, task);
  }

  /**
   * Hashes `newPassword`, ends every session of the user started until now, and stores the
   * hash if the stored one is still `expectedHash`.
   * @returns `false` when another change came first (nothing stored).
   * @throws PasswordPolicyError for a password the policy refuses (before anything changed).
   */
  async replace(
    user: User,
    userId: string,
    expectedHash: string,
    newPassword: string,
  ): Promise<boolean> {
    const newHash = await this.hasher.getPasswordHash(newPassword);
    // Ended first too: a 503 after the new hash is stored then leaves no old session.
    await this.revocation.revokeAllUserTokens(userId);
    return this.users.replacePasswordHash(user, expectedHash, newHash);
  }

  /**
   * After a replacement: ends the sessions that started while the hash was being stored. If
   * the store fails now, the caller answers 503 but the cutoff is tried again, a few times,
   * by itself.
   */
  async endSessionsStartedMeanwhile(userId: string): Promise<void> {
    try {
      await this.revocation.revokeAllUserTokens(userId);
    } catch (error) {
      void this.retryCutoff(userId, CUTOFF_RETRIES);
      throw error;
    }
    await this.sessions.forget(userId);
  }

  /** Tries a user cutoff again after a pause, `left` more times; reports the last failure. */
  private async retryCutoff(userId: string, left: number): Promise<void> {
    await new Promise((next) => setTimeout(next, CUTOFF_RETRY_MS).unref());
    try {
      await this.revocation.revokeAllUserTokens(userId);
    } catch (error) {
      if (left > 1) return this.retryCutoff(userId, left - 1);
      this.reportError('password_change_cutoff_failed', error);
    }
  }
}
