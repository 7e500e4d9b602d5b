import { createHmac } from 'node:crypto';
import { PasswordPolicyError } from '../errors/security-errors';

/** Shortest password accepted when one is set (ASVS 6.2.1), in Unicode code points. */
export const MIN_PASSWORD_LENGTH = 8;
/**
 * Longest password accepted, in UTF-16 code units, checked before any other work so that
 * a megabyte "password" costs nothing (ASVS 6.2.9 asks for at least 64 characters).
 */
export const MAX_PASSWORD_LENGTH = 1024;
/** bcrypt reads at most this many bytes and silently ignores the rest. */
export const BCRYPT_MAX_INPUT_BYTES = 72;

/**
 * Domain-separation key of the pre-hash: a fixed public constant, not a secret. Keyed so
 * that a leaked unsalted SHA-256 of the same password elsewhere cannot be "shucked"
 * against our bcrypt hashes.
 */
const PREHASH_KEY = 'fastcore-security/bcrypt-prehash/v1';

/**
 * Checks a password that is being set (registration, password change) and returns its NFC
 * form. Throws `PasswordPolicyError` for a non-string, fewer than 8 code points, or more
 * than 1024 code units.
 */
export function checkNewPassword(password: unknown): string {
  if (typeof password !== 'string') {
    throw new PasswordPolicyError('not_a_string', 'The password must be a string.');
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new PasswordPolicyError(
      'too_long',
      `The password must be at most ${MAX_PASSWORD_LENGTH} characters.`,
    );
  }
  const normalized = password.normalize('NFC');
  if ([...normalized].length < MIN_PASSWORD_LENGTH) {
    throw new PasswordPolicyError(
      'too_short',
      `The password must be at least ${MIN_PASSWORD_LENGTH} characters.`,
    );
  }
  return normalized;
}

/**
 * The NFC form of a password offered at login, or `undefined` when it cannot match any
 * stored password (not a string, empty, longer than the policy allows). No minimum length:
 * hashes written before the policy, or by another tool, still verify.
 */
export function normalizeOfferedPassword(password: unknown): string | undefined {
  if (typeof password !== 'string' || password === '' || password.length > MAX_PASSWORD_LENGTH) {
    return undefined;
  }
  return password.normalize('NFC');
}

/**
 * What bcrypt actually hashes. Passwords of at most 72 UTF-8 bytes go in unchanged, so
 * hashes stay compatible with every bcrypt tool. Longer ones are pre-hashed,
 * base64(HMAC-SHA256(PREHASH_KEY, password)) = 44 ASCII bytes, so that no byte of a long
 * password is silently ignored: `"a"*72 + "x"` and `"a"*72` are different passwords.
 */
export function bcryptInput(normalizedPassword: string): string {
  if (Buffer.byteLength(normalizedPassword, 'utf8') <= BCRYPT_MAX_INPUT_BYTES) {
    return normalizedPassword;
  }
  return createHmac('sha256', PREHASH_KEY).update(normalizedPassword, 'utf8').digest('base64');
}
