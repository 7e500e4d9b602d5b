import { expect } from 'chai';
import type { Response } from 'supertest';
import { ADMIN, USER } from '../helpers/catalogue';
import type { CookieSessionState } from '../helpers/cookie-app';
import { ACCESS_COOKIE, REFRESH_COOKIE, sessionOf, setCookies } from '../helpers/cookie-app';
import { bearer, demoHarness, twoInstances } from '../helpers/demo-harness';
import type { DemoHarness } from '../helpers/demo-harness';
import { postgresAnswers, redisAnswers, requireServer } from '../helpers/real-servers';

/** The demo's own origin with the harness's settings (HOST and PORT unset). */
const ORIGIN = 'http://127.0.0.1:3000';
const CSRF_FAILED = {
  error: 'csrf_failed',
  error_description: 'The request failed the cross-site request forgery check.',
};

/**
 * The contract's routes a browser uses, over the cookie transport, on instance A and B (the
 * same instance in memory; two instances on one PostgreSQL and one Redis).
 */
function describeCookieContract(
  name: string,
  create: () => Promise<{ a: DemoHarness; b: DemoHarness; close: () => Promise<void> }>,
): void {
  describe(`demo contract over cookies: ${name}`, () => {
    let a: DemoHarness;
    let b: DemoHarness;
    let close: () => Promise<void>;
    beforeEach(async () => {
      ({ a, b, close } = await create());
    });
    afterEach(async () => close());

    async function login(h: DemoHarness, who = USER): Promise<CookieSessionState> {
      const response = await h
        .http()
        .post('/auth/cookie/login')
        .set('Origin', ORIGIN)
        .send({ username: who.username, password: who.password })
        .expect(200)
        .expect('Cache-Control', 'no-store');
      expect(Object.keys(response.body as object).sort()).to.deep.equal([
        'csrf_token',
        'expires_in',
      ]);
      return sessionOf(response);
    }

    const send = (
      h: DemoHarness,
      method: 'post' | 'put',
      path: string,
      session: CookieSessionState,
      csrf = true,
    ) => {
      const req = h.http()[method](path).set('Origin', ORIGIN).set('Cookie', session.cookie);
      return csrf ? req.set('X-CSRF-Token', session.csrf) : req;
    };
    const post = (h: DemoHarness, path: string, session: CookieSessionState, csrf = true) =>
      send(h, 'post', path, session, csrf);

    it('log in on A, GET /users/me and /admin/users by cookie on B, privately', async () => {
      const user = await login(a);
      const me = await b.http().get('/users/me').set('Cookie', user.cookie).expect(200);
      expect(me.body).to.deep.include({ email: USER.username, roles: ['user'], is_active: true });
      expect(me.headers['cache-control']).to.equal('private, no-store');
      expect(me.headers['vary']).to.match(/Cookie/);
      const denied = await b.http().get('/admin/users').set('Cookie', user.cookie).expect(403);
      expect((denied.body as { error: string }).error).to.equal('insufficient_scope');
      const admin = await login(a, ADMIN);
      await b.http().get('/admin/users').set('Cookie', admin.cookie).expect(200);
    });

    it('the cookie and the Authorization header together: 400 invalid_request', async () => {
      const user = await login(a);
      const pair = await a.login(ADMIN.username, ADMIN.password);
      const response = await b
        .http()
        .get('/admin/users')
        .set('Cookie', user.cookie)
        .set(bearer(pair.access_token))
        .expect(400);
      expect((response.body as { error: string }).error).to.equal('invalid_request');
    });

    it('a state-changing route without the CSRF token or from another origin: 403 csrf_failed, nothing changes', async () => {
      const user = await login(a);
      const refused: Response[] = [
        await post(b, '/auth/logout-all', user, false),
        await b
          .http()
          .post('/auth/cookie/logout')
          .set('Origin', 'http://127.0.0.1:4000')
          .set('Cookie', user.cookie)
          .set('X-CSRF-Token', user.csrf),
        await b
          .http()
          .put('/users/me/password')
          .set('Cookie', user.cookie)
          .send({ current_password: USER.password, new_password: 'another-password' }),
      ];
      for (const response of refused) {
        expect([response.status, response.body]).to.deep.equal([403, CSRF_FAILED]);
      }
      await a.http().get('/users/me').set('Cookie', user.cookie).expect(200);
      await a.login(USER.username, USER.password);
      expect(b.logs.some((line) => line.includes('"audit.csrf_failed"'))).to.equal(true);
    });

    it('refresh on B of a login on A; the spent cookie is reuse', async () => {
      const user = await login(a);
      const refresh = (h: DemoHarness, session: CookieSessionState) =>
        h
          .http()
          .post('/auth/cookie/refresh')
          .set('Origin', ORIGIN)
          .set('Cookie', session.refreshCookie)
          .set('X-CSRF-Token', session.csrf);
      const next = sessionOf(await refresh(b, user).expect(200));
      await a.http().get('/users/me').set('Cookie', next.cookie).expect(200);
      await refresh(a, user).expect(401);
      await b.http().get('/users/me').set('Cookie', next.cookie).expect(401);
    });

    it('logout on B clears the cookies and A refuses them', async () => {
      const user = await login(a);
      const response = await post(b, '/auth/cookie/logout', user).expect(204);
      expect(setCookies(response).get(ACCESS_COOKIE)?.attributes).to.include({ 'max-age': '0' });
      expect(setCookies(response).get(REFRESH_COOKIE)?.attributes).to.include({
        'max-age': '0',
        path: '/auth/cookie/refresh',
      });
      await a.http().get('/users/me').set('Cookie', user.cookie).expect(401);
    });

    it('password change by cookie: a wrong current password is 400, a good one ends every session', async () => {
      const user = await login(a);
      const elsewhere = await login(b);
      const wrong = await send(b, 'put', '/users/me/password', user)
        .send({ current_password: 'not-it', new_password: 'another-password' })
        .expect(400);
      expect((wrong.body as { error: string }).error).to.equal('invalid_credentials');
      await send(b, 'put', '/users/me/password', user)
        .send({ current_password: USER.password, new_password: 'another-password' })
        .expect(204);
      await a.http().get('/users/me').set('Cookie', elsewhere.cookie).expect(401);
      await login(a, { username: USER.username, password: 'another-password' });
    });

    it('a deactivated user is refused by cookie on the next request', async () => {
      const user = await login(a);
      const me = await a.http().get('/users/me').set('Cookie', user.cookie).expect(200);
      await a.updateUser((me.body as { id: number }).id, { is_active: false });
      const response = await b.http().get('/users/me').set('Cookie', user.cookie).expect(401);
      expect((response.body as { error: string }).error).to.equal('invalid_token');
    });
  });
}

describeCookieContract('in memory', async () => {
  const h = await demoHarness();
  return { a: h, b: h, close: () => h.close() };
});

describe('on PostgreSQL and Redis', function () {
  before(async function () {
    await requireServer(this, 'Redis', redisAnswers);
    await requireServer(this, 'PostgreSQL', postgresAnswers);
  });

  describeCookieContract('two instances', () => twoInstances());
});
