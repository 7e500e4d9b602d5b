/** A stored bcrypt hash, parsed. */
export interface BcryptHash {
  /** `a`, `b` or `y` (the same algorithm since the 2011 fixes; `x` is the buggy one, refused). */
  variant: 'a' | 'b' | 'y';
  cost: number;
  /**
   * The hash as the native `bcrypt` package will compare it: it rejects `$2y$` (PHP's
   * name for the same algorithm as `$2b$`), so that prefix is rewritten to `$2b$`.
   */
  comparable: string;
}

const BCRYPT_HASH = /^\$2([aby])\$(\d{2})\$[./A-Za-z0-9]{53}$/;

/** Parses a stored hash; `undefined` for null, non-strings, other schemes or corrupt text. */
export function parseBcryptHash(hash: unknown): BcryptHash | undefined {
  if (typeof hash !== 'string') return undefined;
  const match = BCRYPT_HASH.exec(hash);
  if (match === null) return undefined;
  const variant = match[1] as BcryptHash['variant'];
  const cost = Number(match[2]);
  if (cost < 4 || cost > 31) return undefined;
  const comparable = variant === 'y' ? `$2b$${hash.slice(4)}` : hash;
  return { variant, cost, comparable };
}
