import { expect } from 'chai';
import { createPublicKey } from 'node:crypto';
import { jwkThumbprint } from '../../src/keys/jwk-thumbprint';
import { JwtKeySet } from '../../src/keys/jwt-key-set';
import { TEST_SECRET_KEY } from '../helpers/test-environment';
import { testKeyPair } from '../helpers/test-keys';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

describe('JwtKeySet', () => {
  describe('HMAC', () => {
    const keys = JwtKeySet.hmac('HS256', TEST_SECRET_KEY);

    it('signs and verifies with the one secret, whatever kid a token claims, and publishes nothing', () => {
      expect(keys.signingKeyId).to.equal(undefined);
      expect(keys.verificationKey('anything')).to.equal(keys.signingKey);
      expect(keys.verificationKey(undefined)).to.equal(keys.signingKey);
      expect(keys.jwks()).to.deep.equal({ keys: [] });
      expect(keys.isAsymmetric).to.equal(false);
    });
  });

  describe('asymmetric', () => {
    const current = testKeyPair('rsa', 'current');
    const old = testKeyPair('rsa', 'old');
    const keys = JwtKeySet.asymmetric('RS256', current.privateKey, [
      old.publicKey,
      current.publicKey,
    ]);

    it('signs with the current key, its thumbprint as kid', () => {
      expect(keys.signingKey).to.equal(current.privateKey);
      expect(keys.signingKeyId).to.equal(jwkThumbprint(current.publicKey));
      expect(keys.keyIds).to.deep.equal([
        jwkThumbprint(current.publicKey),
        jwkThumbprint(old.publicKey),
      ]);
    });

    it('finds a verification key only by the kid of a configured key', () => {
      const kid = jwkThumbprint(old.publicKey);
      expect(keys.verificationKey(kid)?.equals(old.publicKey)).to.equal(true);
      expect(
        keys.verificationKey(jwkThumbprint(testKeyPair('rsa', 'stranger').publicKey)),
      ).to.equal(undefined);
      for (const claimed of [undefined, null, 1, '', [kid], { kid }, '__proto__', 'constructor']) {
        expect(keys.verificationKey(claimed), JSON.stringify(claimed)).to.equal(undefined);
      }
    });

    it('publishes every public key once, with kid, alg and use, and no private member', () => {
      const { keys: published } = keys.jwks();
      expect(published.map((jwk) => jwk.kid)).to.deep.equal(keys.keyIds);
      for (const jwk of published) {
        expect(jwk).to.include({ kty: 'RSA', alg: 'RS256', use: 'sig', e: 'AQAB' });
        for (const member of PRIVATE_MEMBERS) expect(jwk).not.to.have.property(member);
        const key = createPublicKey({ format: 'jwk', key: jwk });
        expect(jwkThumbprint(key)).to.equal(jwk.kid);
      }
    });

    it('publishes EC keys with their curve', () => {
      const ec = testKeyPair('ec-p256');
      const [jwk] = JwtKeySet.asymmetric('ES256', ec.privateKey).jwks().keys;
      expect(jwk).to.include({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
      expect(jwk).not.to.have.property('d');
    });
  });
});
