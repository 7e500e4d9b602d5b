import { expect } from 'chai';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TokenPair } from '../../src';
import type { PublicUser } from '../../demo/users/demo-user';
import type { components } from '../helpers/demo-api.generated';
import { bearer, demoHarness } from '../helpers/demo-harness';
import type { DemoHarness } from '../helpers/demo-harness';
import { expectStatus, typedDemoClient } from '../helpers/typed-demo-client';

/** `true` only when each type is assignable to the other. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

// Checked when this file compiles: the document declares the success bodies as the demo
// types them (demo/openapi/success-schemas.ts is written by hand).
const DECLARED_AS_TYPED: [
  Same<components['schemas']['TokenPair'], TokenPair>,
  Same<components['schemas']['User'], PublicUser>,
] = [true, true];

describe('demo: a client typed by the generated types, against the demo on a loopback port', () => {
  let h: DemoHarness;
  let server: Server;
  let call: ReturnType<typeof typedDemoClient>;

  before(async () => {
    h = await demoHarness();
    server = h.demo.app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    call = typedDemoClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  after(async () => {
    await new Promise((done) => server.close(done));
    await h.close();
  });

  it('the success bodies are declared as the demo types them', () => {
    expect(DECLARED_AS_TYPED).to.deep.equal([true, true]);
  });

  it('registers, logs in, reads the user, refreshes and logs out, each answer as declared', async () => {
    const email = 'generated-client@example.com';
    const password = 'generated-client-password';

    const registered = await call('post', '/auth/register', { body: { email, password } });
    expectStatus(registered, 201);
    expect(registered.body).to.include({ email, is_active: true });
    expect(registered.body.roles).to.deep.equal(['user']);
    const taken = await call('post', '/auth/register', { body: { email, password } });
    expectStatus(taken, 409);
    expect(taken.body.error).to.equal('conflict');

    const wrong = await call('post', '/auth/login', { body: { username: email, password: 'no' } });
    expectStatus(wrong, 401);
    expect(wrong.body.error).to.equal('invalid_credentials');
    expect(wrong.headers.get('WWW-Authenticate')).to.match(/^Bearer realm="/);
    const answer = await call('post', '/auth/login', { body: { username: email, password } });
    expectStatus(answer, 200);
    // The declared answer is a token pair or, with a second factor on, a challenge.
    const pair = answer.body;
    if (!('access_token' in pair)) throw new Error('a challenge for a user without a factor');
    const login = { body: pair };
    expect(login.body.token_type).to.equal('bearer');

    const me = await call('get', '/users/me', { headers: bearer(login.body.access_token) });
    expectStatus(me, 200);
    expect(me.body).to.deep.equal(registered.body);
    const record = await call('get', '/users/{id}', {
      path: { id: String(me.body.id) },
      headers: bearer(login.body.access_token),
    });
    expectStatus(record, 200);
    expect(record.body).to.deep.equal(me.body);

    const refreshed = await call('post', '/auth/refresh', {
      body: { refresh_token: login.body.refresh_token },
    });
    expectStatus(refreshed, 200);
    const { access_token, refresh_token } = refreshed.body;
    const logout = await call('post', '/auth/logout', {
      headers: bearer(access_token),
      body: { refresh_token },
    });
    expectStatus(logout, 204);
    expect(logout.body).to.equal(undefined);

    const afterLogout = await call('get', '/users/me', { headers: bearer(access_token) });
    // @ts-expect-error 409 is no answer of GET /users/me: undeclared statuses do not compile.
    if (afterLogout.status === 409) expect.fail('an undeclared status');
    expectStatus(afterLogout, 401);
    expect(afterLogout.body.error).to.equal('invalid_token');
    expect(afterLogout.headers.get('WWW-Authenticate')).to.match(/error="invalid_token"/);
    const spent = await call('post', '/auth/refresh', { body: { refresh_token } });
    expectStatus(spent, 401);
  });
});
