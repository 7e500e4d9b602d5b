import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BaseAppSettings } from '../../src/config/base-app-settings';
import type { Environment } from '../../src/config/env-reader';
import type { ConfigurationError } from '../../src/errors/security-errors';
import { jwkThumbprint } from '../../src/keys/jwk-thumbprint';
import { testEnvironment } from '../helpers/test-environment';
import { asymmetricEnvironment, testKeyPair } from '../helpers/test-keys';
import { configurationErrorOf } from '../helpers/configuration-error';

const refusal = (env: Environment): ConfigurationError =>
  configurationErrorOf(() => new BaseAppSettings(env));

/** No key material may appear in a configuration error. */
function expectNoKeyIn(error: ConfigurationError): void {
  expect(error.message).not.to.match(/BEGIN|MII|-----/);
}

describe('asymmetric key settings', () => {
  const rsa = testKeyPair('rsa');
  const ec256 = testKeyPair('ec-p256');

  it('reads RS256, PS256 and ES256 keys from PEM text, the secret key unused', () => {
    for (const [algorithm, pair] of [
      ['RS256', rsa],
      ['PS256', rsa],
      ['ES256', ec256],
      ['ES384', testKeyPair('ec-p384')],
      ['ES512', testKeyPair('ec-p521')],
    ] as const) {
      const settings = new BaseAppSettings(asymmetricEnvironment(algorithm, pair));
      expect(settings.JWT_ALGORITHM).to.equal(algorithm);
      expect(settings.SECRET_KEY).to.equal(undefined);
      expect(settings.jwtKeys.signingKeyId).to.equal(jwkThumbprint(pair.publicKey));
    }
  });

  it('reads a PEM written on one line with \\n escapes, as .env files carry it', () => {
    const oneLine = rsa.privatePem.trim().replace(/\n/g, '\\n');
    const settings = new BaseAppSettings(
      asymmetricEnvironment('RS256', { ...rsa, privatePem: oneLine }),
    );
    expect(settings.jwtKeys.signingKeyId).to.equal(jwkThumbprint(rsa.publicKey));
  });

  it('reads keys from files named by NAME_FILE, and refuses both forms at once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fastcore-keys-'));
    const path = join(dir, 'private.pem');
    writeFileSync(path, rsa.privatePem);
    const env = testEnvironment({ JWT_ALGORITHM: 'RS256', JWT_PRIVATE_KEY_FILE: path });
    expect(new BaseAppSettings(env).jwtKeys.signingKeyId).to.equal(jwkThumbprint(rsa.publicKey));
    const both = refusal({ ...env, JWT_PRIVATE_KEY: rsa.privatePem });
    expect(both.message).to.equal(
      'JWT_PRIVATE_KEY and JWT_PRIVATE_KEY_FILE are both set; set one of them',
    );
    const missing = refusal({ ...env, JWT_PRIVATE_KEY_FILE: join(dir, 'absent.pem') });
    expect(missing.message).to.equal('JWT_PRIVATE_KEY_FILE names a file that cannot be read');
  });

  describe('refuses at start, naming the variable and never showing a key', () => {
    const cases: [string, Environment, string][] = [
      [
        'an EC key for RS256',
        asymmetricEnvironment('RS256', ec256),
        'JWT_PRIVATE_KEY must be an RSA key for RS256',
      ],
      [
        'an RSA key for ES256',
        asymmetricEnvironment('ES256', rsa),
        'JWT_PRIVATE_KEY must be an EC key on curve prime256v1 for ES256',
      ],
      [
        'a P-384 key for ES256',
        asymmetricEnvironment('ES256', testKeyPair('ec-p384')),
        'JWT_PRIVATE_KEY must be an EC key on curve prime256v1 for ES256',
      ],
      [
        'a 1024-bit RSA key',
        asymmetricEnvironment('PS256', testKeyPair('rsa-1024')),
        'JWT_PRIVATE_KEY must be an RSA key of at least 2048 bits for PS256',
      ],
      [
        'an Ed25519 key for ES256',
        asymmetricEnvironment('ES256', testKeyPair('ed25519')),
        'JWT_PRIVATE_KEY must be an EC key on curve prime256v1 for ES256',
      ],
      [
        'a public key where the private key belongs',
        testEnvironment({ JWT_ALGORITHM: 'RS256', JWT_PRIVATE_KEY: rsa.publicPem }),
        'JWT_PRIVATE_KEY must be an unencrypted PEM private key',
      ],
      [
        'an encrypted private key',
        testEnvironment({
          JWT_ALGORITHM: 'RS256',
          JWT_PRIVATE_KEY: rsa.privateKey
            .export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'pass' })
            .toString(),
        }),
        'JWT_PRIVATE_KEY must be an unencrypted PEM private key',
      ],
      [
        'text that is no PEM',
        testEnvironment({ JWT_ALGORITHM: 'RS256', JWT_PRIVATE_KEY: 'not a key' }),
        'JWT_PRIVATE_KEY must be an unencrypted PEM private key',
      ],
      [
        'a public key that is not the private key’s',
        asymmetricEnvironment('RS256', rsa, { JWT_PUBLIC_KEY: testKeyPair('rsa', 'b').publicPem }),
        'JWT_PUBLIC_KEY is not the public key of JWT_PRIVATE_KEY',
      ],
      [
        'a private key in JWT_PUBLIC_KEY',
        asymmetricEnvironment('RS256', rsa, { JWT_PUBLIC_KEY: rsa.privatePem }),
        'JWT_PUBLIC_KEY must hold public keys, never a private key',
      ],
      [
        'an additional key of another type',
        asymmetricEnvironment('RS256', rsa, { JWT_ADDITIONAL_PUBLIC_KEYS: ec256.publicPem }),
        'JWT_ADDITIONAL_PUBLIC_KEYS must be an RSA key for RS256',
      ],
      [
        'additional keys with no PEM block',
        asymmetricEnvironment('RS256', rsa, { JWT_ADDITIONAL_PUBLIC_KEYS: 'abc' }),
        'JWT_ADDITIONAL_PUBLIC_KEYS must hold PEM public keys',
      ],
      [
        'a private key among the additional keys',
        asymmetricEnvironment('RS256', rsa, {
          JWT_ADDITIONAL_PUBLIC_KEYS: testKeyPair('rsa', 'b').privatePem,
        }),
        'JWT_ADDITIONAL_PUBLIC_KEYS must hold public keys, never a private key',
      ],
      [
        'a private key with an HS* algorithm (it would silently not be used)',
        asymmetricEnvironment('HS256', rsa),
        'JWT_PRIVATE_KEY is set but JWT_ALGORITHM is HS256; choose an RS*, PS* or ES* algorithm or unset it',
      ],
    ];
    for (const [name, env, message] of cases) {
      it(name, () => {
        const error = refusal(env);
        expect(error.message).to.equal(message);
        expectNoKeyIn(error);
      });
    }
  });

  it('accepts the matching public key and any number of additional keys, each once', () => {
    const b = testKeyPair('rsa', 'b');
    const c = testKeyPair('rsa', 'c');
    const settings = new BaseAppSettings(
      asymmetricEnvironment('RS256', rsa, {
        JWT_PUBLIC_KEY: rsa.publicPem,
        JWT_ADDITIONAL_PUBLIC_KEYS: `${b.publicPem}\n${c.publicPem}${rsa.publicPem}`,
      }),
    );
    expect(settings.jwtKeys.keyIds).to.deep.equal(
      [rsa, b, c].map((pair) => jwkThumbprint(pair.publicKey)),
    );
  });
});
