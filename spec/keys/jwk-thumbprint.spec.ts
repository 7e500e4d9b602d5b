import { expect } from 'chai';
import { createPublicKey, createSecretKey } from 'node:crypto';
import { jwkThumbprint } from '../../src/keys/jwk-thumbprint';
import { testKeyPair } from '../helpers/test-keys';

describe('jwkThumbprint', () => {
  it('gives the RFC 7638 §3.1 example key its published thumbprint', () => {
    const key = createPublicKey({
      format: 'jwk',
      key: {
        kty: 'RSA',
        e: 'AQAB',
        n: RFC_7638_MODULUS,
      },
    });
    expect(jwkThumbprint(key)).to.equal('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  for (const kind of ['rsa', 'ec-p256', 'ec-p384'] as const) {
    it(`agrees with jose's calculateJwkThumbprint for a ${kind} key`, async () => {
      const { calculateJwkThumbprint } = await import('jose');
      const { publicKey } = testKeyPair(kind);
      const jwk = publicKey.export({ format: 'jwk' });
      expect(jwkThumbprint(publicKey)).to.equal(await calculateJwkThumbprint(jwk));
    });
  }

  it('is the same for a private key and its public key', () => {
    const { privateKey, publicKey } = testKeyPair('ec-p256');
    expect(jwkThumbprint(createPublicKey(privateKey))).to.equal(jwkThumbprint(publicKey));
  });

  it('refuses a secret key (its thumbprint would be a hash of the secret)', () => {
    expect(() => jwkThumbprint(createSecretKey(Buffer.alloc(32)))).to.throw(TypeError);
  });
});

const RFC_7638_MODULUS =
  '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw';
