import { generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { Environment } from '../../src/config/env-reader';
import { testEnvironment } from './test-environment';

/** A generated key pair, with its PEM texts as an operator would configure them. */
export interface TestKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  privatePem: string;
  publicPem: string;
}

export type TestKeyKind = 'rsa' | 'rsa-1024' | 'ec-p256' | 'ec-p384' | 'ec-p521' | 'ed25519';

const made = new Map<string, TestKeyPair>();

function generate(kind: TestKeyKind): { privateKey: KeyObject; publicKey: KeyObject } {
  switch (kind) {
    case 'rsa':
      return generateKeyPairSync('rsa', { modulusLength: 2048 });
    case 'rsa-1024':
      return generateKeyPairSync('rsa', { modulusLength: 1024 });
    case 'ec-p256':
      return generateKeyPairSync('ec', { namedCurve: 'P-256' });
    case 'ec-p384':
      return generateKeyPairSync('ec', { namedCurve: 'P-384' });
    case 'ec-p521':
      return generateKeyPairSync('ec', { namedCurve: 'P-521' });
    case 'ed25519':
      return generateKeyPairSync('ed25519');
  }
}

/**
 * A key pair of `kind`, generated once per test run and `name` (RSA generation takes a
 * while): `testKeyPair('rsa', 'old')` and `testKeyPair('rsa', 'new')` are two different keys.
 */
export function testKeyPair(kind: TestKeyKind, name = 'a'): TestKeyPair {
  const id = `${kind}/${name}`;
  let pair = made.get(id);
  if (pair === undefined) {
    const { privateKey, publicKey } = generate(kind);
    pair = {
      privateKey,
      publicKey,
      privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    };
    made.set(id, pair);
  }
  return pair;
}

/** The test environment for an asymmetric algorithm, its key given as PEM text. */
export function asymmetricEnvironment(
  algorithm: string,
  pair: TestKeyPair,
  overrides: Environment = {},
): Environment {
  return testEnvironment({
    JWT_ALGORITHM: algorithm,
    JWT_PRIVATE_KEY: pair.privatePem,
    ...overrides,
  });
}
