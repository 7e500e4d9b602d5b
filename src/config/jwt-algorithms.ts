/** The HMAC algorithms the library signs and verifies with. */
export const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;
export type HmacAlgorithm = (typeof HMAC_ALGORITHMS)[number];

/**
 * RFC 7518 §3.2: an HMAC key must be at least as long as the hash output. Shorter keys
 * are refused, in every environment.
 */
export const MIN_HMAC_KEY_BYTES: Readonly<Record<HmacAlgorithm, number>> = {
  HS256: 32,
  HS384: 48,
  HS512: 64,
};

export function isHmacAlgorithm(value: string): value is HmacAlgorithm {
  return (HMAC_ALGORITHMS as readonly string[]).includes(value);
}
