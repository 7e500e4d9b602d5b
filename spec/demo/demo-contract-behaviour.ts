import { expect } from 'chai';
import type { TokenPair } from '../../src';
import { decodePayload } from '../helpers/forge-token';
import { ADMIN, USER, expectErrorBody } from '../helpers/catalogue';
import { bearer } from '../helpers/demo-harness';
import type { DemoHarness } from '../helpers/demo-harness';

/**
 * The whole contract of demo-contract.md, as one suite run against each way the demo can
 * keep its state (embedded default; PostgreSQL and Redis).
 */
export function describeDemoContract(name: string, create: () => Promise<DemoHarness>): void {
  describe(`demo: the HTTP contract (${name})`, () => {
    let h: DemoHarness;
    beforeEach(async () => (h = await create()));
    // Closing checks that no log line holds a secret (safe logging).
    afterEach(async () => h.close());

    const postLogin = (body: object) => h.http().post('/auth/login').send(body);
    const postRefresh = (body: object) => h.http().post('/auth/refresh').send(body);
    /** Both tokens of a pair stop working: the access token on /users/me, the refresh token. */
    const expectPairRefused = async (pair: TokenPair) => {
      expectErrorBody(
        await h.http().get('/users/me').set(bearer(pair.access_token)),
        401,
        'invalid_token',
      );
      expectErrorBody(
        await postRefresh({ refresh_token: pair.refresh_token }),
        401,
        'invalid_token',
      );
    };

    it('GET /health → 200 {"status":"ok"}', async () => {
      await h.http().get('/health').expect(200, { status: 'ok' });
    });

    it('GET /.well-known/jwks.json → 200: no keys for HS*, else keys that verify our tokens', async () => {
      const { body } = await h.http().get('/.well-known/jwks.json').expect(200);
      const algorithm = h.demo.settings.JWT_ALGORITHM;
      if (algorithm.startsWith('HS')) {
        expect(body).to.deep.equal({ keys: [] });
        return;
      }
      const { createLocalJWKSet, jwtVerify } = await import('jose');
      const { access_token } = await h.login(USER.username, USER.password);
      const verified = await jwtVerify(access_token, createLocalJWKSet(body as never), {
        algorithms: [algorithm],
        currentDate: new Date(h.clock.now()),
      });
      expect(verified.payload).to.include({ type: 'access' });
      expect(verified.protectedHeader.kid).to.be.a('string');
    });

    it('seeds the two demo users and says so in the log, without passwords', () => {
      expect(h.demo.seeded).to.deep.equal(['admin@example.com', 'user@example.com']);
    });

    describe('POST /auth/login', () => {
      it('returns the token pair, with no-store', async () => {
        const response = await postLogin(ADMIN).expect(200);
        expect(response.body).to.have.all.keys(
          'access_token',
          'refresh_token',
          'token_type',
          'expires_in',
        );
        expect(response.body.token_type).to.equal('bearer');
        expect(response.body.expires_in).to.equal(1800);
        expect(response.headers['cache-control']).to.equal('no-store');
        const claims = decodePayload(response.body.access_token as string);
        expect(claims).to.include({ sub: '1', type: 'access' });
        expect(claims).to.include.keys('iat', 'exp', 'jti');
        expect(claims['roles']).to.deep.equal(['admin']);
      });

      it('accepts the OAuth2 password form, and emails in any case', async () => {
        const response = await h
          .http()
          .post('/auth/login')
          .type('form')
          .send({ grant_type: 'password', username: 'USER@Example.com', password: 'user-password' })
          .expect(200);
        expect(decodePayload(response.body.access_token as string)['sub']).to.equal('2');
      });

      it('G1 unknown user, wrong password and inactive user: identical status, body and headers', async () => {
        await h.updateUser(2, { is_active: false });
        const responses = await Promise.all([
          h
            .http()
            .post('/auth/login')
            .send({ username: 'nobody@example.com', password: 'user-password' }),
          h
            .http()
            .post('/auth/login')
            .send({ ...ADMIN, password: 'wrong-password' }),
          h.http().post('/auth/login').send(USER),
        ]);
        for (const response of responses) {
          expectErrorBody(response, 401, 'invalid_credentials');
          expect(response.body).to.deep.equal(responses[0]?.body);
          expect(response.headers['www-authenticate']).to.equal(
            responses[0]?.headers['www-authenticate'],
          );
        }
      });

      it('F1 an empty password → 401 invalid_credentials', async () => {
        expectErrorBody(await postLogin({ ...ADMIN, password: '' }), 401, 'invalid_credentials');
      });

      it('G4 non-string fields → 400', async () => {
        for (const body of [
          { username: { $ne: null }, password: 'x' },
          { username: ADMIN.username, password: { $gt: '' } },
          { username: ADMIN.username, password: ['admin-password'] },
          { username: ADMIN.username },
        ]) {
          expectErrorBody(await postLogin(body), 400, 'invalid_request');
        }
      });

      it('refuses another grant_type', async () => {
        expectErrorBody(
          await postLogin({ ...ADMIN, grant_type: 'client_credentials' }),
          400,
          'invalid_request',
        );
      });

      it('F4 a megabyte password → 413 before bcrypt runs', async () => {
        const response = await postLogin({ ...ADMIN, password: 'x'.repeat(1_000_000) });
        expectErrorBody(response, 413, 'payload_too_large');
      });
    });

    describe('POST /auth/register', () => {
      it('creates a user with the "user" role, whatever roles the body asks for (G5)', async () => {
        const response = await h
          .http()
          .post('/auth/register')
          .send({
            email: 'New@Example.com',
            password: 'new-password',
            roles: ['admin'],
            is_active: false,
          })
          .expect(201);
        expect(response.body).to.deep.equal({
          id: 3,
          email: 'new@example.com',
          roles: ['user'],
          is_active: true,
          email_verified: false,
          mfa_enabled: false,
        });
        await h.login('new@example.com', 'new-password');
      });

      it('409 conflict for a taken email, in any case', async () => {
        expectErrorBody(
          await h
            .http()
            .post('/auth/register')
            .send({ email: 'ADMIN@example.com', password: 'whatever-pw' }),
          409,
          'conflict',
        );
      });

      it('F1/F4/F6 refuses empty, short, non-string and huge passwords and bad emails with 400', async () => {
        for (const body of [
          { email: 'a@example.com', password: '' },
          { email: 'a@example.com', password: 'short' },
          { email: 'a@example.com', password: 12345678 },
          { email: 'a@example.com', password: 'x'.repeat(1025) },
          { email: 'not-an-email', password: 'long-enough' },
          { email: { $ne: null }, password: 'long-enough' },
        ]) {
          expectErrorBody(await h.http().post('/auth/register').send(body), 400, 'invalid_request');
        }
      });

      it('F6 accepts a 64-character password', async () => {
        await h
          .http()
          .post('/auth/register')
          .send({ email: 'long@example.com', password: 'p'.repeat(64) })
          .expect(201);
        await h.login('long@example.com', 'p'.repeat(64));
      });

      it('F2 "a"*72 + "x" does not log in as "a"*72', async () => {
        await h
          .http()
          .post('/auth/register')
          .send({ email: 'a72@example.com', password: 'a'.repeat(72) })
          .expect(201);
        expectErrorBody(
          await postLogin({ username: 'a72@example.com', password: `${'a'.repeat(72)}x` }),
          401,
          'invalid_credentials',
        );
      });

      it('F3 NFC and NFD forms of a password are the same password', async () => {
        await h
          .http()
          .post('/auth/register')
          .send({ email: 'cafe@example.com', password: 'caf\u00e9-password' })
          .expect(201);
        await h.login('cafe@example.com', 'cafe\u0301-password');
      });
    });

    describe('POST /auth/refresh', () => {
      it('JSON and form bodies rotate the pair; the old refresh token is spent', async () => {
        const first = await h.login(USER.username, USER.password);
        const second = await postRefresh({ refresh_token: first.refresh_token }).expect(200);
        const third = await h
          .http()
          .post('/auth/refresh')
          .type('form')
          .send({ grant_type: 'refresh_token', refresh_token: second.body.refresh_token })
          .expect(200);
        expect(third.body.token_type).to.equal('bearer');
        expect(third.headers['cache-control']).to.equal('no-store');
      });

      it('D3 a spent refresh token again → 401, and the newest tokens of its family are revoked', async () => {
        const first = await h.login(USER.username, USER.password);
        const second = await postRefresh({ refresh_token: first.refresh_token }).expect(200);
        const reuse = await postRefresh({ refresh_token: first.refresh_token });
        expectErrorBody(reuse, 401, 'invalid_token');
        expect(reuse.headers['www-authenticate']).to.equal(
          'Bearer realm="fastcore-demo", error="invalid_token"',
        );
        expectErrorBody(
          await h
            .http()
            .get('/users/me')
            .set(bearer(second.body.access_token as string)),
          401,
          'invalid_token',
        );
        expectErrorBody(
          await postRefresh({ refresh_token: second.body.refresh_token }),
          401,
          'invalid_token',
        );
      });

      it('D2 of concurrent refreshes of one token exactly one succeeds', async () => {
        const { refresh_token } = await h.login(USER.username, USER.password);
        const responses = await Promise.all(
          Array.from({ length: 20 }, () => postRefresh({ refresh_token })),
        );
        expect(responses.filter((r) => r.status === 200)).to.have.length(1);
        expect(responses.filter((r) => r.status === 401)).to.have.length(19);
      });

      it('C2 an access token → 401 invalid_token', async () => {
        const { access_token } = await h.login(USER.username, USER.password);
        expectErrorBody(await postRefresh({ refresh_token: access_token }), 401, 'invalid_token');
      });

      it('a missing token or another grant_type → 400', async () => {
        const { refresh_token } = await h.login(USER.username, USER.password);
        expectErrorBody(await postRefresh({}), 400, 'invalid_request');
        expectErrorBody(
          await postRefresh({ refresh_token, grant_type: 'password' }),
          400,
          'invalid_request',
        );
      });

      it("carries the user's current roles", async () => {
        const { refresh_token } = await h.login(USER.username, USER.password);
        await h.updateUser(2, { roles: ['user', 'editor'] });
        const response = await postRefresh({ refresh_token }).expect(200);
        expect(decodePayload(response.body.access_token as string)['roles']).to.deep.equal([
          'user',
          'editor',
        ]);
      });
    });

    describe('POST /auth/logout and /auth/logout-all', () => {
      it('D1 logout → 204; the access token and the refresh token given stop working', async () => {
        const pair = await h.login(USER.username, USER.password);
        await h
          .http()
          .post('/auth/logout')
          .set(bearer(pair.access_token))
          .send({ refresh_token: pair.refresh_token })
          .expect(204);
        await expectPairRefused(pair);
      });

      it('ignores an invalid or foreign refresh token in the body', async () => {
        const mine = await h.login(USER.username, USER.password);
        const theirs = await h.login(ADMIN.username, ADMIN.password);
        await h
          .http()
          .post('/auth/logout')
          .set(bearer(mine.access_token))
          .send({ refresh_token: theirs.refresh_token })
          .expect(204);
        await postRefresh({ refresh_token: theirs.refresh_token }).expect(200);
        const again = await h.login(USER.username, USER.password);
        await h
          .http()
          .post('/auth/logout')
          .set(bearer(again.access_token))
          .send({ refresh_token: 'garbage' })
          .expect(204);
        await h
          .http()
          .post('/auth/logout')
          .set(bearer((await h.login(USER.username, USER.password)).access_token))
          .expect(204);
      });

      it('logout without a token → 401', async () => {
        expectErrorBody(await h.http().post('/auth/logout'), 401, 'authentication_required');
      });

      it('D7 logout-all → 204; every token of the user stops working, new logins work', async () => {
        const a = await h.login(USER.username, USER.password);
        const b = await h.login(USER.username, USER.password);
        await h.http().post('/auth/logout-all').set(bearer(a.access_token)).expect(204);
        for (const pair of [a, b]) {
          await expectPairRefused(pair);
        }
        const fresh = await h.login(USER.username, USER.password);
        await h.http().get('/users/me').set(bearer(fresh.access_token)).expect(200);
      });
    });

    describe('PUT /users/me/password', () => {
      it('D7 → 204; older tokens stop working, the new password logs in', async () => {
        const before = await h.login(USER.username, USER.password);
        await h
          .http()
          .put('/users/me/password')
          .set(bearer(before.access_token))
          .send({ current_password: USER.password, new_password: 'a-brand-new-password' })
          .expect(204);
        expectErrorBody(
          await h.http().get('/users/me').set(bearer(before.access_token)),
          401,
          'invalid_token',
        );
        expectErrorBody(await postLogin(USER), 401, 'invalid_credentials');
        const after = await h.login(USER.username, 'a-brand-new-password');
        await h.http().get('/users/me').set(bearer(after.access_token)).expect(200);
      });

      it('a wrong current password → 400 invalid_credentials; a short new one → 400 invalid_request', async () => {
        const { access_token } = await h.login(USER.username, USER.password);
        const wrong = await h
          .http()
          .put('/users/me/password')
          .set(bearer(access_token))
          .send({ current_password: 'wrong-password', new_password: 'a-brand-new-password' });
        expectErrorBody(wrong, 400, 'invalid_credentials');
        const short = await h
          .http()
          .put('/users/me/password')
          .set(bearer(access_token))
          .send({ current_password: USER.password, new_password: 'short' });
        expectErrorBody(short, 400, 'invalid_request');
        await h.http().get('/users/me').set(bearer(access_token)).expect(200);
      });
    });

    describe('GET /users/me and GET /admin/users', () => {
      it('/users/me → the user, never the hash', async () => {
        const { access_token } = await h.login(USER.username, USER.password);
        const response = await h.http().get('/users/me').set(bearer(access_token)).expect(200);
        expect(response.body).to.deep.equal({
          id: 2,
          email: 'user@example.com',
          roles: ['user'],
          is_active: true,
          email_verified: false,
          mfa_enabled: false,
        });
      });

      it('/admin/users → the users for an admin, 403 for a user, 401 without a token', async () => {
        const admin = await h.login(ADMIN.username, ADMIN.password);
        const user = await h.login(USER.username, USER.password);
        const list = await h.http().get('/admin/users').set(bearer(admin.access_token)).expect(200);
        expect(list.body).to.have.length(2);
        expect(JSON.stringify(list.body)).not.to.contain('$2b$');
        const forbidden = await h.http().get('/admin/users').set(bearer(user.access_token));
        expectErrorBody(forbidden, 403, 'insufficient_scope');
        expect(forbidden.headers['www-authenticate']).to.equal(
          'Bearer realm="fastcore-demo", error="insufficient_scope"',
        );
        const anonymous = await h.http().get('/admin/users');
        expectErrorBody(anonymous, 401, 'authentication_required');
        expect(anonymous.headers['www-authenticate']).to.equal('Bearer realm="fastcore-demo"');
      });

      it('/users/:id → the owner or an admin (users:read); 403 for another user, before any lookup', async () => {
        const admin = await h.login(ADMIN.username, ADMIN.password);
        const user = await h.login(USER.username, USER.password);
        const own = await h.http().get('/users/2').set(bearer(user.access_token)).expect(200);
        expect(own.body).to.deep.equal({
          id: 2,
          email: 'user@example.com',
          roles: ['user'],
          is_active: true,
          email_verified: false,
          mfa_enabled: false,
        });
        const byAdmin = await h.http().get('/users/2').set(bearer(admin.access_token)).expect(200);
        expect(byAdmin.body).to.deep.equal(own.body);
        // Another user's record, existing or not: the same 403, so ids cannot be probed.
        for (const id of ['1', '999']) {
          const other = await h.http().get(`/users/${id}`).set(bearer(user.access_token));
          expectErrorBody(other, 403, 'insufficient_scope');
        }
        expectErrorBody(
          await h.http().get('/users/999').set(bearer(admin.access_token)),
          404,
          'not_found',
        );
        for (const id of ['0', '-1', '1e3', 'abc', '02']) {
          expectErrorBody(
            await h.http().get(`/users/${id}`).set(bearer(admin.access_token)),
            404,
            'not_found',
          );
        }
        expectErrorBody(await h.http().get('/users/2'), 401, 'authentication_required');
      });

      it('I5 a demotion or deactivation in the store takes effect on the next request', async () => {
        const admin = await h.login(ADMIN.username, ADMIN.password);
        await h.http().get('/admin/users').set(bearer(admin.access_token)).expect(200);
        await h.updateUser(1, { roles: ['user'] });
        expectErrorBody(
          await h.http().get('/admin/users').set(bearer(admin.access_token)),
          403,
          'insufficient_scope',
        );
        await h.updateUser(1, { is_active: false });
        expectErrorBody(
          await h.http().get('/users/me').set(bearer(admin.access_token)),
          401,
          'invalid_token',
        );
      });

      it('expired access tokens → 401 invalid_token', async () => {
        const { access_token } = await h.login(USER.username, USER.password);
        h.clock.advanceSeconds(1800);
        expectErrorBody(
          await h.http().get('/users/me').set(bearer(access_token)),
          401,
          'invalid_token',
        );
      });
    });

    describe('errors', () => {
      it('unknown route → 404 not_found; wrong method → 405 method_not_allowed', async () => {
        expectErrorBody(await h.http().get('/nowhere'), 404, 'not_found');
        expectErrorBody(await h.http().delete('/health'), 405, 'method_not_allowed');
      });

      it('malformed JSON → 400; a body over the limit → 413', async () => {
        expectErrorBody(
          await h
            .http()
            .post('/auth/login')
            .set('Content-Type', 'application/json')
            .send('{"username":'),
          400,
          'invalid_request',
        );
        expectErrorBody(
          await h
            .http()
            .post('/auth/register')
            .send({ email: 'x@example.com', password: 'y'.repeat(20_000) }),
          413,
          'payload_too_large',
        );
      });

      it('writes no token, password or hash into any log line', async () => {
        const pair = await h.login(USER.username, USER.password);
        await postLogin({ ...ADMIN, password: 'wrong-password' });
        const text = h.logs.join('\n');
        for (const secret of [
          pair.access_token,
          pair.refresh_token,
          'user-password',
          'admin-password',
          'wrong-password',
          '$2b$',
        ]) {
          expect(text).not.to.contain(secret);
        }
      });
    });
  });
}
