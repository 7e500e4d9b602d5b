import type { KeyObject } from 'node:crypto';
import type { AsymmetricAlgorithm } from '../config/jwt-algorithms';
import { ES_CURVES, MIN_RSA_KEY_BITS } from '../config/jwt-algorithms';

/**
 * What is wrong with using `key` for `algorithm`, as a rule to show in a configuration
 * error, or `undefined` when the key fits: RS* and PS* take an RSA key of 2048 bits or
 * more, each ES* the one curve RFC 7518 gives it.
 */
export function keyMisfit(key: KeyObject, algorithm: AsymmetricAlgorithm): string | undefined {
  const details = key.asymmetricKeyDetails ?? {};
  if (algorithm.startsWith('ES')) {
    const curve = ES_CURVES[algorithm as keyof typeof ES_CURVES];
    if (key.asymmetricKeyType === 'ec' && details.namedCurve === curve) return undefined;
    return `must be an EC key on curve ${curve} for ${algorithm}`;
  }
  if (key.asymmetricKeyType !== 'rsa') return `must be an RSA key for ${algorithm}`;
  if ((details.modulusLength ?? 0) < MIN_RSA_KEY_BITS) {
    return `must be an RSA key of at least ${MIN_RSA_KEY_BITS} bits for ${algorithm}`;
  }
  return undefined;
}
