import { expect } from 'chai';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { demoHarness } from '../helpers/demo-harness';
import type { DemoHarness } from '../helpers/demo-harness';
import { USER } from '../helpers/catalogue';
import { testKeyPair } from '../helpers/test-keys';

interface Running {
  h: DemoHarness;
  server: Server;
  url: string;
}

async function start(env: NodeJS.ProcessEnv): Promise<Running> {
  const h = await demoHarness(env);
  const server = h.demo.app.listen(0, '127.0.0.1');
  await new Promise((ready) => server.once('listening', ready));
  const { port } = server.address() as AddressInfo;
  return { h, server, url: `http://127.0.0.1:${port}` };
}

async function stop(running: Running): Promise<void> {
  await new Promise((done) => running.server.close(done));
  await running.h.close();
}

async function login(running: Running): Promise<string> {
  const response = await fetch(`${running.url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: USER.username, password: USER.password }),
  });
  expect(response.status).to.equal(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

describe("JWKS: another service verifies the demo's tokens with jose's createRemoteJWKSet", () => {
  const current = testKeyPair('rsa', 'jwks-current');
  const next = testKeyPair('rsa', 'jwks-next');
  const running: Running[] = [];
  afterEach(async () => {
    for (const instance of running.splice(0)) await stop(instance);
  });

  for (const [algorithm, kind] of [
    ['RS256', 'rsa'],
    ['PS256', 'rsa'],
    ['ES256', 'ec-p256'],
  ] as const) {
    it(`${algorithm}: fetches the keys over HTTP and verifies an access token`, async () => {
      const pair = testKeyPair(kind, 'jwks');
      const demo = await start({ JWT_ALGORITHM: algorithm, JWT_PRIVATE_KEY: pair.privatePem });
      running.push(demo);
      const { createRemoteJWKSet, jwtVerify } = await import('jose');
      const jwks = createRemoteJWKSet(new URL(`${demo.url}/.well-known/jwks.json`));
      const token = await login(demo);
      const { payload, protectedHeader } = await jwtVerify(token, jwks, {
        algorithms: [algorithm],
        currentDate: new Date(demo.h.clock.now()),
      });
      expect(payload).to.include({ type: 'access', sub: '2' });
      expect(payload['roles']).to.deep.equal(['user']);
      expect(protectedHeader.alg).to.equal(algorithm);
    });
  }

  it('survives a rotation: the next key is published first, then signs, while the old one still verifies', async () => {
    const { createRemoteJWKSet, jwtVerify } = await import('jose');
    // Step 1: the next key is published (JWT_ADDITIONAL_PUBLIC_KEYS) while the current signs.
    const before = await start({
      JWT_ALGORITHM: 'RS256',
      JWT_PRIVATE_KEY: current.privatePem,
      JWT_ADDITIONAL_PUBLIC_KEYS: next.publicPem,
    });
    running.push(before);
    const verifierKeys = createRemoteJWKSet(new URL(`${before.url}/.well-known/jwks.json`));
    const oldToken = await login(before);
    const at = { algorithms: ['RS256'], currentDate: new Date(before.h.clock.now()) };
    await jwtVerify(oldToken, verifierKeys, at);

    // Step 2: the next key signs; the old public key stays listed until its tokens expire.
    const after = await start({
      JWT_ALGORITHM: 'RS256',
      JWT_PRIVATE_KEY: next.privatePem,
      JWT_ADDITIONAL_PUBLIC_KEYS: current.publicPem,
    });
    running.push(after);
    const newToken = await login(after);
    // The verifier's cached key set (fetched in step 1) already holds the new key.
    expect((await jwtVerify(newToken, verifierKeys, at)).payload['sub']).to.equal('2');
    const afterKeys = createRemoteJWKSet(new URL(`${after.url}/.well-known/jwks.json`));
    expect((await jwtVerify(oldToken, afterKeys, at)).payload['sub']).to.equal('2');
    // And the rotated instance itself still accepts the old token.
    const me = await fetch(`${after.url}/users/me`, {
      headers: { authorization: `Bearer ${oldToken}` },
    });
    expect(me.status).to.equal(200);
  });
});
