import { createHash } from 'node:crypto';
import type { TokenClaims } from './token-claims';

/**
 * Claims of tokens that passed full verification, keyed by a SHA-256 of the token (the
 * token itself is not kept), so that a token presented again skips the signature check and
 * claim parsing. Bounded: past `capacity` the oldest entry goes. What depends on time or
 * on the caller (expiry, expected type, revocation) is still checked on every use.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, TokenClaims>();

  constructor(private readonly capacity = 10_000) {}

  /** The cache key of a token: compute it once per verification, for `get` and `set`. */
  key(token: string): string {
    return createHash('sha256').update(token).digest('base64url');
  }

  get(key: string): TokenClaims | undefined {
    return this.entries.get(key);
  }

  set(key: string, claims: TokenClaims): void {
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, claims);
  }

  get size(): number {
    return this.entries.size;
  }
}
