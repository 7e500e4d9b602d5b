import { generateKeyPairSync } from 'node:crypto';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { InvalidTokenError } from '../../src/errors/security-errors';
import { accessClaims } from '../helpers/claims-builder';
import { forgeToken } from '../helpers/forge-token';
import { createSecurityFixture } from '../helpers/security-fixture';
import type { SecurityFixture } from '../helpers/security-fixture';
import { TEST_SECRET_KEY } from '../helpers/test-environment';

/** Catalogue section A: forgery and algorithm. */
describe('TokenService: forged tokens (catalogue A)', () => {
  let f: SecurityFixture;
  beforeEach(() => (f = createSecurityFixture()));

  function refused(token: string, reason?: string): void {
    try {
      f.tokens.verifyAccessToken(token);
    } catch (error) {
      expect(error).to.be.instanceOf(InvalidTokenError);
      if (reason !== undefined) expect((error as InvalidTokenError).reason).to.equal(reason);
      return;
    }
    expect.fail('a forged token was accepted');
  }

  it('accepts the untampered control token (so the refusals below mean something)', () => {
    const token = forgeToken({ alg: 'HS256', typ: 'JWT' }, accessClaims(f.clock));
    expect(f.tokens.verifyAccessToken(token).sub).to.equal('42');
  });

  for (const alg of ['none', 'NONE', 'None', 'nOnE']) {
    it(`A1 alg ${alg} with an empty signature`, () => {
      refused(
        forgeToken({ alg, typ: 'JWT' }, accessClaims(f.clock), { signature: '' }),
        'malformed',
      );
    });

    it(`A1 alg ${alg} with a valid HS256 signature over it`, () => {
      refused(forgeToken({ alg, typ: 'JWT' }, accessClaims(f.clock)), 'signature');
    });
  }

  describe('A2 HS256 forged with a public key', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const jwk = JSON.stringify(publicKey.export({ format: 'jwk' }));
    for (const [name, key] of [
      ['PEM', pem],
      ['whitespace-padded PEM', `   \n${pem}`],
      ['JWK string', jwk],
    ]) {
      it(`refuses a token signed with the ${name} as the HMAC key`, () => {
        refused(
          forgeToken({ alg: 'HS256', typ: 'JWT' }, accessClaims(f.clock), { key: key }),
          'signature',
        );
      });
    }

    it('refuses an RS256 token, whatever key signed it: the algorithm is pinned', () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const token = jwt.sign(accessClaims(f.clock), privateKey, { algorithm: 'RS256' });
      refused(token, 'signature');
    });
  });

  it('A3 one byte of the payload or the signature changed', () => {
    const token = f.tokens.createAccessToken({ sub: '42' });
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const flip = (segment: string, at: number): string =>
      segment.slice(0, at) + (segment[at] === 'A' ? 'B' : 'A') + segment.slice(at + 1);
    refused(`${header}.${flip(payload, 10)}.${signature}`);
    refused(`${header}.${payload}.${flip(signature, 5)}`);
    refused(`${flip(header, 3)}.${payload}.${signature}`);
  });

  it('A4 signature stripped', () => {
    const token = f.tokens.createAccessToken({ sub: '42' });
    refused(token.slice(0, token.lastIndexOf('.') + 1), 'malformed');
    refused(token.slice(0, token.lastIndexOf('.')), 'malformed');
  });

  for (const [alg, hmac] of [
    ['HS384', 'sha384'],
    ['HS512', 'sha512'],
  ] as const) {
    it(`A5 ${alg} token signed with the right key when HS256 is configured`, () => {
      refused(forgeToken({ alg, typ: 'JWT' }, accessClaims(f.clock), { hmac }), 'signature');
    });
  }

  it('A6 unknown crit header, even correctly signed', () => {
    refused(forgeToken({ alg: 'HS256', crit: ['exp'] }, accessClaims(f.clock)), 'crit');
    refused(
      forgeToken({ alg: 'HS256', crit: ['x-unknown'], 'x-unknown': 1 }, accessClaims(f.clock)),
      'crit',
    );
  });

  describe('A7 kid, jku, jwk, x5u never choose the key', () => {
    const attackerKey = 'attacker-key-attacker-key-attacker-key-!!';
    const attackerJwk = { kty: 'oct', k: Buffer.from(attackerKey).toString('base64url') };
    for (const [name, header] of [
      ['jwk', { alg: 'HS256', jwk: attackerJwk }],
      ['jku', { alg: 'HS256', jku: 'https://attacker.example/jwks.json' }],
      ['x5u', { alg: 'HS256', x5u: 'https://attacker.example/cert.pem' }],
      ['kid', { alg: 'HS256', kid: '../../dev/null' }],
    ] as const) {
      it(`${name}: a token signed with the attacker's key is refused`, () => {
        refused(forgeToken(header, accessClaims(f.clock), { key: attackerKey }), 'signature');
      });

      it(`${name}: a token signed with our key is still checked with our key only`, () => {
        const token = forgeToken(header, accessClaims(f.clock), { key: TEST_SECRET_KEY });
        expect(f.tokens.verifyAccessToken(token).sub).to.equal('42');
      });
    }
  });
});
