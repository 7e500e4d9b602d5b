/**
 * Secrets that appear in tutorials, templates and the original module's README. Each is
 * shorter than the smallest HMAC key (32 bytes), so it only gets past the length check
 * padded or repeated: a key that starts with one is refused in production. (`test` is left
 * out: a generated base64 key starts with it about once in a million; `test` repeated is
 * still caught by `repeatsItself`. The shortest entry, `secret`, is about one in a billion.)
 */
const PLACEHOLDER_PREFIXES = [
  'your-secret-key-here',
  'a-string-secret-at-least',
  'your-jwt-secret',
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
  'password',
];

/** Fragments that only a placeholder contains, wherever they stand in the key. */
const PLACEHOLDER_FRAGMENTS = [
  'change-me',
  'changeme',
  'change_me',
  'your-secret',
  'replace-me',
  '-bit-secret',
  'secret-key-here',
];

/**
 * Whether `key` is a placeholder rather than a generated secret (case and surrounding blanks
 * ignored): it starts with a well-known placeholder, contains a fragment only a placeholder
 * contains, or is one shorter string repeated (one character, `secretsecret…`, the seed's
 * key twice). Only deliberate rules: no entropy estimate, which would either miss typed keys
 * or refuse some random ones.
 */
export function isPlaceholderKey(key: string): boolean {
  // Separators dropped, so `your_secret_key`, `YOUR SECRET KEY`, `your.secret.key` and
  // `yoursecretkey` all match `your-secret-key`.
  const normalized = withoutSeparators(key.trim().toLowerCase());
  if (PREFIXES.some((placeholder) => normalized.startsWith(placeholder))) return true;
  if (FRAGMENTS.some((fragment) => normalized.includes(fragment))) return true;
  return normalized.length < 2 || repeatsItself(normalized);
}

function withoutSeparators(text: string): string {
  return text.replace(/[\s_.-]+/g, '');
}

const PREFIXES = PLACEHOLDER_PREFIXES.map(withoutSeparators);
const FRAGMENTS = PLACEHOLDER_FRAGMENTS.map(withoutSeparators);

/**
 * Whether `text` is a shorter string repeated at least twice, the last copy possibly cut
 * short: such a key is no harder to guess than its first copy.
 */
function repeatsItself(text: string): boolean {
  for (let period = 1; period <= text.length / 2; period += 1) {
    if (text.slice(period) === text.slice(0, text.length - period)) return true;
  }
  return false;
}
