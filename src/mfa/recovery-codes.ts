import { createHmac, hkdfSync, randomInt, timingSafeEqual } from 'node:crypto';

/** HKDF `info`: the recovery codes' HMAC key, unrelated to the secrets' cipher key. */
const DIGEST_INFO = 'fastcore-security/recovery-codes/v1';
/** Codes given at enrolment. */
export const RECOVERY_CODE_COUNT = 10;
/** Lower-case letters and digits without the look-alikes 0, 1, l and o: 32 symbols. */
const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';
/** Ten symbols (50 bits), shown as two groups of five. */
const GROUP = 5;

/**
 * Recovery codes: random, shown once, stored as HMACs (under a key derived from
 * `TOTP_ENCRYPTION_KEY`, so a copy of the user table alone cannot test guesses), each spent by
 * its use. A typed code is read without case, spaces or dashes.
 */
export class RecoveryCodes {
  private readonly key: Buffer;

  constructor(keyMaterial: string) {
    this.key = Buffer.from(
      hkdfSync('sha256', Buffer.from(keyMaterial, 'utf8'), '', DIGEST_INFO, 32),
    );
  }

  /** New codes as shown to the user, and their digests as stored. */
  issue(owner: string): { codes: string[]; digests: string[] } {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => {
      const symbols = Array.from({ length: 2 * GROUP }, () => ALPHABET[randomInt(ALPHABET.length)]);
      return `${symbols.slice(0, GROUP).join('')}-${symbols.slice(GROUP).join('')}`;
    });
    return { codes, digests: codes.map((code) => this.digest(owner, code)) };
  }

  /** Whether `typed` has a recovery code's shape (then it is never taken for a TOTP code). */
  looksLikeRecoveryCode(typed: string): boolean {
    return normalized(typed).length === 2 * GROUP;
  }

  /** The index in `digests` of the code `typed`, or -1. */
  find(owner: string, typed: string, digests: readonly string[]): number {
    const candidate = Buffer.from(this.digest(owner, typed));
    let found = -1;
    digests.forEach((digest, index) => {
      const stored = Buffer.from(digest);
      if (stored.length === candidate.length && timingSafeEqual(stored, candidate)) found = index;
    });
    return found;
  }

  private digest(owner: string, code: string): string {
    return createHmac('sha256', this.key)
      .update(`${owner}\0${normalized(code)}`, 'utf8')
      .digest('base64url');
  }
}

function normalized(code: string): string {
  return code.toLowerCase().replace(/[\s-]+/g, '');
}
