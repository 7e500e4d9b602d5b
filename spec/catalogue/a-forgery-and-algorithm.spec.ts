import { generateKeyPairSync } from 'node:crypto';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { accessClaims } from '../helpers/claims-builder';
import { bearerOf, catalogueHarness, expectCleanLogs, expectProblem } from '../helpers/catalogue';
import type { CatalogueHarness } from '../helpers/catalogue';
import { forgeToken } from '../helpers/forge-token';
import { TEST_SECRET_KEY } from '../helpers/test-environment';

describe('catalogue A: forgery and algorithm', () => {
  let h: CatalogueHarness;
  beforeEach(async () => (h = await catalogueHarness()));
  afterEach(async () => {
    expectCleanLogs(h);
    await h.close();
  });

  /** Claims of the demo's user 2, valid now: only the forgery should make them fail. */
  const claims = () => accessClaims(h.clock, { sub: '2', roles: ['user'] });
  const me = async (token: string) => {
    h.secrets.push(token);
    return h.http().get('/users/me').set(bearerOf(token));
  };

  it('control: the same claims signed with our key pass', async () => {
    expect((await me(forgeToken({ alg: 'HS256', typ: 'JWT' }, claims()))).status).to.equal(200);
  });

  it('A1 alg none/NONE/None, empty signature → 401 invalid_token', async () => {
    for (const alg of ['none', 'NONE', 'None']) {
      expectProblem(
        await me(forgeToken({ alg }, claims(), { signature: '' })),
        401,
        'invalid_token',
        'invalid_token',
      );
      expectProblem(await me(forgeToken({ alg }, claims())), 401, 'invalid_token', 'invalid_token');
    }
  });

  it('A2 HS256 forged with a public key (PEM, padded PEM, JWK string) → 401; verify pins exactly the configured algorithm', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    for (const key of [pem, `  \n${pem}`, JSON.stringify(publicKey.export({ format: 'jwk' }))]) {
      expectProblem(
        await me(forgeToken({ alg: 'HS256' }, claims(), { key })),
        401,
        'invalid_token',
        'invalid_token',
      );
    }
    const rs256 = jwt.sign(claims(), privateKey, { algorithm: 'RS256' });
    expectProblem(await me(rs256), 401, 'invalid_token', 'invalid_token');
  });

  it('A3 one byte of payload or signature changed → 401', async () => {
    const token = forgeToken({ alg: 'HS256' }, claims());
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const flip = (text: string, at: number) =>
      text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
    expectProblem(
      await me(`${header}.${flip(payload, 12)}.${signature}`),
      401,
      'invalid_token',
      'invalid_token',
    );
    expectProblem(
      await me(`${header}.${payload}.${flip(signature, 7)}`),
      401,
      'invalid_token',
      'invalid_token',
    );
  });

  it('A4 signature stripped → 401', async () => {
    const token = forgeToken({ alg: 'HS256' }, claims());
    const unsigned = token.slice(0, token.lastIndexOf('.') + 1);
    const response = await h.http().get('/users/me').set('Authorization', `Bearer ${unsigned}`);
    expectProblem(response, 401, 'invalid_token', 'invalid_token');
  });

  it('A5 HS384/HS512 token when HS256 is configured → 401', async () => {
    for (const [alg, hmac] of [
      ['HS384', 'sha384'],
      ['HS512', 'sha512'],
    ] as const) {
      expectProblem(
        await me(forgeToken({ alg }, claims(), { hmac })),
        401,
        'invalid_token',
        'invalid_token',
      );
    }
  });

  it('A6 unknown crit header → 401', async () => {
    expectProblem(
      await me(forgeToken({ alg: 'HS256', crit: ['x-bind'], 'x-bind': 1 }, claims())),
      401,
      'invalid_token',
      'invalid_token',
    );
  });

  it('A7 kid, jku, jwk, x5u never choose the key', async () => {
    const attacker = 'attacker-controlled-key-of-sufficient-length!';
    for (const header of [
      { alg: 'HS256', kid: 'attacker' },
      { alg: 'HS256', jku: 'https://attacker.example/jwks.json' },
      { alg: 'HS256', jwk: { kty: 'oct', k: Buffer.from(attacker).toString('base64url') } },
      { alg: 'HS256', x5u: 'https://attacker.example/cert.pem' },
    ]) {
      expectProblem(
        await me(forgeToken(header, claims(), { key: attacker })),
        401,
        'invalid_token',
        'invalid_token',
      );
      expect((await me(forgeToken(header, claims(), { key: TEST_SECRET_KEY }))).status).to.equal(
        200,
      );
    }
  });
});
