import { randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';
import type { BaseAppSettings } from '../config/base-app-settings';
import { parseBcryptHash } from './bcrypt-hash-format';
import { BcryptWorkLimit } from './bcrypt-work-limit';
import { bcryptInput, checkNewPassword, normalizeOfferedPassword } from './password-policy';

/**
 * Password hashing on the native `bcrypt` package, whose async calls run on libuv's thread
 * pool: a hash never blocks the event loop.
 *
 * Passwords are normalised to NFC; longer than 72 UTF-8 bytes they are pre-hashed (see
 * `bcryptInput`) instead of silently truncated.
 *
 * At most `BCRYPT_MAX_QUEUED` bcrypt operations are admitted at once; past that a hash or a
 * verify throws `ServerBusyError` (503 with `Retry-After`) at once, so that a storm cannot
 * queue unbounded work in front of an honest login.
 */
export class PasswordHasher {
  private readonly rounds: number;
  private dummyHash: Promise<string> | undefined;
  /** The bound on bcrypt work in flight. */
  readonly workLimit: BcryptWorkLimit;

  constructor(settings: BaseAppSettings) {
    this.rounds = settings.BCRYPT_ROUNDS;
    this.workLimit = new BcryptWorkLimit(settings.BCRYPT_MAX_QUEUED);
  }

  /**
   * Hashes a new password with the configured cost.
   * @throws PasswordPolicyError for a non-string, too short or too long password.
   * @throws ServerBusyError when `BCRYPT_MAX_QUEUED` operations are already in flight.
   * @example `const hash = await hasher.getPasswordHash('correct horse battery');`
   */
  async getPasswordHash(password: string): Promise<string> {
    const input = bcryptInput(checkNewPassword(password));
    return this.workLimit.run(() => bcrypt.hash(input, this.rounds));
  }

  /**
   * `true` when `password` matches `hash`. Never throws for bad input: a missing, null or
   * corrupt hash gives `false` after a bcrypt compare against a dummy hash of the configured
   * cost, so that "no such user" and "no usable hash" cost the same time as a wrong password.
   * A stored hash cheaper than the configured cost is compared *together with* a compare
   * against that dummy hash, and the answer waits for both: a failed login takes at least the
   * configured cost's time whatever the stored hash's cost, so time does not reveal accounts
   * with old, cheaper hashes.
   * @throws ServerBusyError when `BCRYPT_MAX_QUEUED` operations are already in flight.
   */
  async verifyPassword(password: string, hash: string | null | undefined): Promise<boolean> {
    const offered = normalizeOfferedPassword(password);
    if (offered === undefined) return false;
    const input = bcryptInput(offered);
    const stored = parseBcryptHash(hash);
    const dummy = await this.getDummyHash();
    if (stored === undefined) {
      await this.workLimit.run(() => this.compareQuietly(input, dummy));
      return false;
    }
    if (stored.cost >= this.rounds) {
      return this.workLimit.run(() => this.compareQuietly(input, stored.comparable));
    }
    return this.workLimit.run(async () => {
      const [matches] = await Promise.all([
        this.compareQuietly(input, stored.comparable),
        this.compareQuietly(input, dummy),
      ]);
      return matches;
    }, 2);
  }

  /** `true` when a stored hash should be replaced: unreadable, or cheaper than configured. */
  needsRehash(hash: string): boolean {
    const stored = parseBcryptHash(hash);
    return stored === undefined || stored.cost < this.rounds;
  }

  private async compareQuietly(input: string, hash: string): Promise<boolean> {
    try {
      return await bcrypt.compare(input, hash);
    } catch {
      return false;
    }
  }

  /** Made once, lazily: a hash of random bytes that no password matches. */
  private getDummyHash(): Promise<string> {
    this.dummyHash ??= bcrypt.hash(randomBytes(32).toString('base64'), this.rounds);
    return this.dummyHash;
  }
}
