import { createPublicKey, createSecretKey } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';
import type { AsymmetricAlgorithm, HmacAlgorithm, JwtAlgorithm } from '../config/jwt-algorithms';
import { isHmacAlgorithm } from '../config/jwt-algorithms';
import { jwkThumbprint } from './jwk-thumbprint';

/** A public key as published in a JWKS: the JWK members plus `kid`, `alg` and `use`. */
export interface PublicJwk extends JsonWebKey {
  kid: string;
  alg: AsymmetricAlgorithm;
  use: 'sig';
}

/** RFC 7517 §5: what `GET /.well-known/jwks.json` serves. */
export interface JsonWebKeySet {
  keys: PublicJwk[];
}

/**
 * The keys tokens are signed and verified with, built once at start.
 *
 * HMAC: one secret signs and verifies; tokens carry no `kid`. Asymmetric: the current
 * private key signs, with its RFC 7638 thumbprint as `kid`; its public key and every
 * additional public key (earlier keys, and the next one) verify, each found by that `kid` only. A `kid` selects among these
 * configured keys and nothing else: `jku`, `x5u` and `jwk` headers are never read.
 */
export class JwtKeySet {
  /** RS*, PS* or ES*: keys found by `kid`, public keys published. Fixed at construction. */
  readonly isAsymmetric: boolean;

  private constructor(
    readonly algorithm: JwtAlgorithm,
    /** The key new tokens are signed with. */
    readonly signingKey: KeyObject,
    /** The `kid` header of new tokens; `undefined` for HMAC. */
    readonly signingKeyId: string | undefined,
    /** Verification keys by `kid` (asymmetric), current first. */
    private readonly publicKeys: ReadonlyMap<string, KeyObject>,
  ) {
    this.isAsymmetric = !isHmacAlgorithm(algorithm);
  }

  /** One shared secret (HS*). */
  static hmac(algorithm: HmacAlgorithm, secret: string): JwtKeySet {
    return new JwtKeySet(
      algorithm,
      createSecretKey(Buffer.from(secret, 'utf8')),
      undefined,
      new Map(),
    );
  }

  /**
   * A current private key and the public keys of earlier ones, already checked to fit
   * `algorithm` (see `keyMisfit`). An additional key equal to the current one is kept once.
   */
  static asymmetric(
    algorithm: AsymmetricAlgorithm,
    privateKey: KeyObject,
    additionalPublicKeys: readonly KeyObject[] = [],
  ): JwtKeySet {
    const current = createPublicKey(privateKey);
    const kid = jwkThumbprint(current);
    const publicKeys = new Map<string, KeyObject>([[kid, current]]);
    for (const key of additionalPublicKeys) {
      const id = jwkThumbprint(key);
      if (!publicKeys.has(id)) publicKeys.set(id, key);
    }
    return new JwtKeySet(algorithm, privateKey, kid, publicKeys);
  }

  /** The `kid` of every key that verifies, current first (empty for HMAC). */
  get keyIds(): string[] {
    return [...this.publicKeys.keys()];
  }

  /**
   * The key that verifies a token whose header has this `kid`, or `undefined` when no
   * configured key has it. HMAC ignores `kid`: there is one secret.
   */
  verificationKey(kid: unknown): KeyObject | undefined {
    if (!this.isAsymmetric) return this.signingKey;
    return typeof kid === 'string' ? this.publicKeys.get(kid) : undefined;
  }

  /** The public verification keys as a JWKS; empty for HMAC, whose key is secret. */
  jwks(): JsonWebKeySet {
    if (!this.isAsymmetric) return { keys: [] };
    const alg = this.algorithm as AsymmetricAlgorithm;
    return {
      keys: [...this.publicKeys].map(([kid, key]) => ({
        ...key.export({ format: 'jwk' }),
        kid,
        alg,
        use: 'sig',
      })),
    };
  }
}
