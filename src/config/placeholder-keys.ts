/**
 * Secrets that appear in tutorials, templates and the original module's README. Any of
 * them (or a key made of one repeated character) is refused in production, whatever its
 * length: an attacker tries these first.
 */
const PLACEHOLDER_KEYS = [
  'your-secret-key-here',
  'your-secret-key',
  'your-256-bit-secret',
  'your-384-bit-secret',
  'your-512-bit-secret',
  'secret',
  'secretkey',
  'secret-key',
  'mysecret',
  'supersecret',
  'jwt-secret',
  'jwtsecret',
  'changeme',
  'change-me',
  'changethis',
  'development',
  'test',
  'password',
];

/** Fragments that only a placeholder contains. */
const PLACEHOLDER_FRAGMENTS = [
  'change-me',
  'changeme',
  'change_me',
  'your-secret',
  'replace-me',
  '-bit-secret',
  'secret-key-here',
];

export function isPlaceholderKey(key: string): boolean {
  const normalized = key.trim().toLowerCase();
  if (PLACEHOLDER_KEYS.includes(normalized)) return true;
  if (PLACEHOLDER_FRAGMENTS.some((fragment) => normalized.includes(fragment))) return true;
  return new Set(normalized).size <= 1;
}
