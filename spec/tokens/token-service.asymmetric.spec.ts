import { expect } from 'chai';
import { createHmac } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { InvalidTokenError } from '../../src/errors/security-errors';
import { jwkThumbprint } from '../../src/keys/jwk-thumbprint';
import { accessClaims } from '../helpers/claims-builder';
import { base64url, decodeHeader } from '../helpers/forge-token';
import { createSecurityFixture } from '../helpers/security-fixture';
import { asymmetricEnvironment, testKeyPair } from '../helpers/test-keys';
import type { TestKeyPair } from '../helpers/test-keys';

function reason(verify: () => unknown): string {
  try {
    verify();
  } catch (error) {
    expect(error).to.be.instanceOf(InvalidTokenError);
    return (error as InvalidTokenError).reason;
  }
  throw new Error('expected an InvalidTokenError');
}

describe('TokenService with asymmetric keys', () => {
  for (const [algorithm, kind] of [
    ['RS256', 'rsa'],
    ['PS256', 'rsa'],
    ['ES256', 'ec-p256'],
  ] as const) {
    it(`${algorithm}: signs with the current key and its kid, verifies, and jsonwebtoken agrees`, () => {
      const pair = testKeyPair(kind);
      const f = createSecurityFixture(asymmetricEnvironment(algorithm, pair));
      const token = f.tokens.createAccessToken({ sub: '7', roles: ['user'] });
      expect(decodeHeader(token)).to.deep.equal({
        alg: algorithm,
        typ: 'JWT',
        kid: jwkThumbprint(pair.publicKey),
      });
      expect(f.tokens.verifyAccessToken(token)).to.include({ sub: '7', type: 'access' });
      const checked = jwt.verify(token, pair.publicKey, {
        algorithms: [algorithm],
        clockTimestamp: f.clock.seconds,
      });
      expect(checked).to.include({ sub: '7' });
      expect(f.tokens.jwks().keys.map((key) => key.kid)).to.deep.equal([
        jwkThumbprint(pair.publicKey),
      ]);
    });
  }

  describe('rotation', () => {
    const old = testKeyPair('rsa', 'old');
    const next = testKeyPair('rsa', 'new');

    it('keeps verifying tokens of the previous key while it is listed, and only then', () => {
      const before = createSecurityFixture(asymmetricEnvironment('RS256', old));
      const oldToken = before.tokens.createAccessToken({ sub: '7' });

      const after = createSecurityFixture(
        asymmetricEnvironment('RS256', next, { JWT_ADDITIONAL_PUBLIC_KEYS: old.publicPem }),
      );
      expect(after.tokens.verifyAccessToken(oldToken).sub).to.equal('7');
      const newToken = after.tokens.createAccessToken({ sub: '8' });
      expect(decodeHeader(newToken)['kid']).to.equal(jwkThumbprint(next.publicKey));

      const retired = createSecurityFixture(asymmetricEnvironment('RS256', next));
      expect(reason(() => retired.tokens.verifyAccessToken(oldToken))).to.equal('unknown_key');
      expect(retired.tokens.verifyAccessToken(newToken).sub).to.equal('8');
    });

    it('publishes the next key before it signs: the old key signs, both verify', () => {
      const staged = createSecurityFixture(
        asymmetricEnvironment('RS256', old, { JWT_ADDITIONAL_PUBLIC_KEYS: next.publicPem }),
      );
      expect(staged.tokens.jwks().keys.map((key) => key.kid)).to.deep.equal([
        jwkThumbprint(old.publicKey),
        jwkThumbprint(next.publicKey),
      ]);
      const token = staged.tokens.createAccessToken({ sub: '7' });
      expect(decodeHeader(token)['kid']).to.equal(jwkThumbprint(old.publicKey));
    });
  });

  describe('catalogue A7: kid, jku, jwk and x5u never choose a key', () => {
    const ours = testKeyPair('rsa', 'ours');
    const attacker = testKeyPair('rsa', 'attacker');
    const f = createSecurityFixture(asymmetricEnvironment('RS256', ours));
    const claims = () => accessClaims(f.clock);
    const kid = jwkThumbprint(ours.publicKey);
    const signed = (pair: TestKeyPair, header: Record<string, unknown>) =>
      jwt.sign(claims(), pair.privateKey, {
        algorithm: 'RS256',
        header: { alg: 'RS256', ...header },
      });

    it('refuses a token with no kid, or a kid of no configured key', () => {
      expect(reason(() => f.tokens.verifyAccessToken(signed(ours, {})))).to.equal('unknown_key');
      const strangerKid = jwkThumbprint(attacker.publicKey);
      expect(
        reason(() => f.tokens.verifyAccessToken(signed(attacker, { kid: strangerKid }))),
      ).to.equal('unknown_key');
    });

    it('refuses a token signed by another key under our kid', () => {
      expect(reason(() => f.tokens.verifyAccessToken(signed(attacker, { kid })))).to.equal(
        'signature',
      );
    });

    it('never follows jku, x5u or an embedded jwk naming the attacker’s key', () => {
      const jwk = attacker.publicKey.export({ format: 'jwk' });
      for (const header of [
        { kid, jwk },
        { kid, jku: 'http://127.0.0.1:1/jwks.json' },
        { kid, x5u: 'http://127.0.0.1:1/cert.pem' },
      ]) {
        expect(reason(() => f.tokens.verifyAccessToken(signed(attacker, header)))).to.equal(
          'signature',
        );
      }
    });

    it('refuses HS256 signed with the public key as the HMAC secret (algorithm confusion)', () => {
      for (const secret of [
        ours.publicPem,
        ` ${ours.publicPem}`,
        JSON.stringify(ours.publicKey.export({ format: 'jwk' })),
      ]) {
        const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid }));
        const payload = base64url(JSON.stringify(claims()));
        const signature = createHmac('sha256', secret)
          .update(`${header}.${payload}`)
          .digest('base64url');
        expect(
          reason(() => f.tokens.verifyAccessToken(`${header}.${payload}.${signature}`)),
        ).to.equal('signature');
      }
    });

    it('refuses a kid that is not a string, without a crash', () => {
      for (const bad of [1, null, ['x'], { kid }]) {
        expect(reason(() => f.tokens.verifyAccessToken(signed(ours, { kid: bad })))).to.equal(
          'unknown_key',
        );
      }
    });
  });
});
