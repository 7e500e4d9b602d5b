/** The HMAC algorithms the library signs and verifies with (one shared secret). */
export const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;
export type HmacAlgorithm = (typeof HMAC_ALGORITHMS)[number];

/**
 * The asymmetric algorithms: those jsonwebtoken 9 signs and verifies. EdDSA is not among
 * them (jsonwebtoken's algorithm list has no EdDSA), so it is refused at start.
 */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
] as const;
export type AsymmetricAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];

export type JwtAlgorithm = HmacAlgorithm | AsymmetricAlgorithm;
export const JWT_ALGORITHMS: readonly JwtAlgorithm[] = [
  ...HMAC_ALGORITHMS,
  ...ASYMMETRIC_ALGORITHMS,
];

/**
 * RFC 7518 §3.2: an HMAC key must be at least as long as the hash output. Shorter keys
 * are refused, in every environment.
 */
export const MIN_HMAC_KEY_BYTES: Readonly<Record<HmacAlgorithm, number>> = {
  HS256: 32,
  HS384: 48,
  HS512: 64,
};

/** RFC 7518 §3.3: RSA keys of at least 2048 bits (RS* and PS*). */
export const MIN_RSA_KEY_BITS = 2048;

/** RFC 7518 §3.4: each ES* algorithm has exactly one curve. */
export const ES_CURVES: Readonly<Record<'ES256' | 'ES384' | 'ES512', string>> = {
  ES256: 'prime256v1',
  ES384: 'secp384r1',
  ES512: 'secp521r1',
};

export function isHmacAlgorithm(value: string): value is HmacAlgorithm {
  return (HMAC_ALGORITHMS as readonly string[]).includes(value);
}

export function isJwtAlgorithm(value: string): value is JwtAlgorithm {
  return (JWT_ALGORITHMS as readonly string[]).includes(value);
}
