import { createPrivateKey, createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { ConfigurationError } from '../errors/security-errors';
import { keyMisfit } from '../keys/key-algorithm-fit';
import { JwtKeySet } from '../keys/jwt-key-set';
import { normalizePem, pemBlocks } from '../keys/pem-blocks';
import type { EnvReader } from './env-reader';
import type { AsymmetricAlgorithm } from './jwt-algorithms';

/** The PEM texts an asymmetric key set is built from (environment or code defaults). */
export interface AsymmetricKeyTexts {
  /** The current signing key: an unencrypted PEM private key (PKCS#8, PKCS#1 or SEC1). */
  JWT_PRIVATE_KEY?: string;
  /** Optional: the current public key; when given, it must be the private key's. */
  JWT_PUBLIC_KEY?: string;
  /**
   * Public keys that verify besides the current one, one PEM block after another: earlier
   * signing keys until their tokens expire, and the next key, published before it signs.
   */
  JWT_ADDITIONAL_PUBLIC_KEYS?: string;
}

/** Each variable may also be given as a file, `NAME_FILE`. */
export function readAsymmetricKeyTexts(read: EnvReader): AsymmetricKeyTexts {
  return {
    JWT_PRIVATE_KEY: read.rawStringOrFile('JWT_PRIVATE_KEY'),
    JWT_PUBLIC_KEY: read.rawStringOrFile('JWT_PUBLIC_KEY'),
    JWT_ADDITIONAL_PUBLIC_KEYS: read.rawStringOrFile('JWT_ADDITIONAL_PUBLIC_KEYS'),
  };
}

/**
 * The key set of an RS*, PS* or ES* algorithm. Refuses at start, naming the variable: a
 * missing or unreadable private key, a key of the wrong type, size or curve for the
 * algorithm, and a public key that is not the private key's. Never shows a key.
 */
export function asymmetricKeySet(
  algorithm: AsymmetricAlgorithm,
  texts: AsymmetricKeyTexts,
): JwtKeySet {
  const privateText = texts.JWT_PRIVATE_KEY;
  if (privateText === undefined) {
    throw new ConfigurationError(
      'JWT_PRIVATE_KEY',
      `is required for ${algorithm}: a PEM private key (or JWT_PRIVATE_KEY_FILE naming one)`,
    );
  }
  const privateKey = parse('JWT_PRIVATE_KEY', () => createPrivateKey(normalizePem(privateText)));
  fit('JWT_PRIVATE_KEY', privateKey, algorithm);
  if (texts.JWT_PUBLIC_KEY !== undefined) {
    const text = texts.JWT_PUBLIC_KEY;
    const publicKey = parsePublic('JWT_PUBLIC_KEY', normalizePem(text));
    if (!publicKey.equals(createPublicKey(privateKey))) {
      throw new ConfigurationError('JWT_PUBLIC_KEY', 'is not the public key of JWT_PRIVATE_KEY');
    }
  }
  const additional = additionalKeys(texts.JWT_ADDITIONAL_PUBLIC_KEYS, algorithm);
  return JwtKeySet.asymmetric(algorithm, privateKey, additional);
}

function additionalKeys(text: string | undefined, algorithm: AsymmetricAlgorithm): KeyObject[] {
  if (text === undefined) return [];
  const blocks = pemBlocks(text);
  if (blocks.length === 0) {
    throw new ConfigurationError('JWT_ADDITIONAL_PUBLIC_KEYS', 'must hold PEM public keys');
  }
  return blocks.map((block) => {
    const key = parsePublic('JWT_ADDITIONAL_PUBLIC_KEYS', block);
    fit('JWT_ADDITIONAL_PUBLIC_KEYS', key, algorithm);
    return key;
  });
}

/**
 * A public key, refusing a private key where a public one belongs (Node would quietly
 * derive the public half, and the private key would then sit in a variable people treat
 * as public).
 */
function parsePublic(variable: string, pem: string): KeyObject {
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
    throw new ConfigurationError(variable, 'must hold public keys, never a private key');
  }
  return parse(variable, () => createPublicKey(pem));
}

function parse(variable: string, read: () => KeyObject): KeyObject {
  try {
    return read();
  } catch {
    // Node's message is dropped: it may quote the input.
    const what =
      variable === 'JWT_PRIVATE_KEY' ? 'an unencrypted PEM private key' : 'PEM public keys';
    throw new ConfigurationError(variable, `must be ${what}`);
  }
}

function fit(variable: string, key: KeyObject, algorithm: AsymmetricAlgorithm): void {
  const misfit = keyMisfit(key, algorithm);
  if (misfit !== undefined) throw new ConfigurationError(variable, misfit);
}
