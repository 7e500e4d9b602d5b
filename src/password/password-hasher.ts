import { randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';
import type { BaseAppSettings } from '../config/base-app-settings';
import { parseBcryptHash } from './bcrypt-hash-format';
import { bcryptInput, checkNewPassword, normalizeOfferedPassword } from './password-policy';

/**
 * Password hashing on the native `bcrypt` package, whose async calls run on libuv's thread
 * pool: a hash never blocks the event loop.
 *
 * Passwords are normalised to NFC; longer than 72 UTF-8 bytes they are pre-hashed (see
 * `bcryptInput`) instead of silently truncated.
 */
export class PasswordHasher {
  private readonly rounds: number;
  private dummyHash: Promise<string> | undefined;

  constructor(settings: BaseAppSettings) {
    this.rounds = settings.BCRYPT_ROUNDS;
  }

  /**
   * Hashes a new password with the configured cost.
   * @throws PasswordPolicyError for a non-string, too short or too long password.
   * @example `const hash = await hasher.getPasswordHash('correct horse battery');`
   */
  async getPasswordHash(password: string): Promise<string> {
    const normalized = checkNewPassword(password);
    return bcrypt.hash(bcryptInput(normalized), this.rounds);
  }

  /**
   * `true` when `password` matches `hash`. Never throws for bad input: a missing, null or
   * corrupt hash gives `false` after a bcrypt compare against a dummy hash of the configured
   * cost, so that "no such user" and "no usable hash" cost the same time as a wrong password.
   */
  async verifyPassword(password: string, hash: string | null | undefined): Promise<boolean> {
    const offered = normalizeOfferedPassword(password);
    if (offered === undefined) return false;
    const input = bcryptInput(offered);
    const stored = parseBcryptHash(hash);
    if (stored === undefined) {
      await this.compareQuietly(input, await this.getDummyHash());
      return false;
    }
    return this.compareQuietly(input, stored.comparable);
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
