import { expect } from 'chai';
import type { CookieApp, CookieSessionState } from '../helpers/cookie-app';
import {
  ACCESS_COOKIE,
  APP_ORIGIN,
  CSRF_COOKIE,
  REFRESH_COOKIE,
  cookieApp,
  cookieLogin,
  sessionOf,
  setCookies,
} from '../helpers/cookie-app';

const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;

describe('auth routes: the cookie transport in an application of its own', () => {
  let app: CookieApp;
  beforeEach(async () => {
    app = await cookieApp();
  });

  /** A state-changing request as the allowed page sends it. */
  function fromPage(session: CookieSessionState, path = '/things/change') {
    return app
      .http()
      .post(path)
      .set('Origin', APP_ORIGIN)
      .set('Cookie', session.cookie)
      .set('X-CSRF-Token', session.csrf);
  }

  describe('login', () => {
    it('sets the access, refresh and CSRF cookies; the body holds no token', async () => {
      const response = await app
        .http()
        .post('/auth/cookie/login')
        .set('Origin', APP_ORIGIN)
        .send({ username: 'user@example.com', password: 'user-password' })
        .expect(200)
        .expect('Cache-Control', 'no-store');
      expect(Object.keys(response.body as object).sort()).to.deep.equal([
        'csrf_token',
        'expires_in',
      ]);
      expect(JSON.stringify(response.body)).not.to.match(/eyJ/);
      const cookies = setCookies(response);
      const access = cookies.get(ACCESS_COOKIE);
      const refresh = cookies.get(REFRESH_COOKIE);
      const csrf = cookies.get(CSRF_COOKIE);
      expect(access?.value).to.match(JWT);
      expect(access?.attributes).to.deep.equal({
        'max-age': '1800',
        path: '/',
        httponly: true,
        secure: true,
        samesite: 'Lax',
      });
      expect(refresh?.value).to.match(JWT);
      expect(refresh?.attributes).to.deep.equal({
        'max-age': String(7 * 24 * 3600),
        path: '/auth/cookie/refresh',
        httponly: true,
        secure: true,
        samesite: 'Lax',
      });
      // Readable by the page, so that a reload finds it; no Domain on any of them.
      expect(csrf?.value).to.equal((response.body as { csrf_token: string }).csrf_token);
      expect(csrf?.attributes).to.deep.equal({
        'max-age': String(7 * 24 * 3600),
        path: '/',
        secure: true,
        samesite: 'Lax',
      });
    });

    it('takes the OAuth2 password form too', async () => {
      const response = await app
        .http()
        .post('/auth/cookie/login')
        .set('Origin', APP_ORIGIN)
        .type('form')
        .send({ username: 'user@example.com', password: 'user-password', grant_type: 'password' })
        .expect(200);
      expect(sessionOf(response).access).to.match(JWT);
    });

    it('refuses a login from a page of another origin (login CSRF), before the password is checked', async () => {
      for (const origin of ['https://evil.example', 'null', `${APP_ORIGIN}.evil.example`]) {
        const response = await app
          .http()
          .post('/auth/cookie/login')
          .set('Origin', origin)
          .send({ username: 'user@example.com', password: 'user-password' })
          .expect(403);
        expect(response.body).to.deep.equal({
          error: 'csrf_failed',
          error_description: 'The request failed the cross-site request forgery check.',
        });
        expect(response.headers['set-cookie']).to.equal(undefined);
      }
      // And with no Origin nor Sec-Fetch-Site (no browser sends neither).
      await app
        .http()
        .post('/auth/cookie/login')
        .send({ username: 'user@example.com', password: 'user-password' })
        .expect(403);
      expect(app.events.filter((e) => e.type === 'csrf_failed').map((e) => e.type)).to.have.length(
        4,
      );
      expect(app.events.some((e) => e.type.startsWith('login'))).to.equal(false);
    });

    it('accepts Sec-Fetch-Site: same-origin when a browser sends no Origin', async () => {
      await app
        .http()
        .post('/auth/cookie/login')
        .set('Sec-Fetch-Site', 'same-origin')
        .send({ username: 'user@example.com', password: 'user-password' })
        .expect(200);
      for (const site of ['same-site', 'cross-site', 'none']) {
        await app
          .http()
          .post('/auth/cookie/login')
          .set('Sec-Fetch-Site', site)
          .send({ username: 'user@example.com', password: 'user-password' })
          .expect(403);
      }
    });

    it('answers a wrong password as the bearer login does', async () => {
      const response = await app
        .http()
        .post('/auth/cookie/login')
        .set('Origin', APP_ORIGIN)
        .send({ username: 'user@example.com', password: 'wrong' })
        .expect(401);
      expect((response.body as { error: string }).error).to.equal('invalid_credentials');
      expect(response.headers['set-cookie']).to.equal(undefined);
    });
  });

  describe('requests authenticated by cookie', () => {
    it('safe methods need no CSRF token', async () => {
      const session = await cookieLogin(app);
      const response = await app
        .http()
        .get('/things/mine')
        .set('Cookie', session.cookie)
        .expect(200);
      expect(response.body).to.deep.equal({ email: 'user@example.com' });
    });

    it("a state-changing route of the application passes with the allowed origin and the session's token", async () => {
      const session = await cookieLogin(app);
      await fromPage(session).expect(200);
      expect(app.changed()).to.deep.equal(['user@example.com']);
    });

    it('is refused without an allowed origin, without the token, or with another token; nothing runs', async () => {
      const session = await cookieLogin(app);
      const other = await cookieLogin(app, 'other@example.com', 'other-password');
      const mine2 = await cookieLogin(app);
      const attempts = [
        // No Origin, no Sec-Fetch-Site: a plain form post from an old browser, or a script.
        app
          .http()
          .post('/things/change')
          .set('Cookie', session.cookie)
          .set('X-CSRF-Token', session.csrf),
        app
          .http()
          .post('/things/change')
          .set('Origin', 'https://evil.example')
          .set('Cookie', session.cookie)
          .set('X-CSRF-Token', session.csrf),
        app
          .http()
          .post('/things/change')
          .set('Sec-Fetch-Site', 'cross-site')
          .set('Cookie', session.cookie)
          .set('X-CSRF-Token', session.csrf),
        app.http().post('/things/change').set('Origin', APP_ORIGIN).set('Cookie', session.cookie),
        app
          .http()
          .post('/things/change')
          .set('Origin', APP_ORIGIN)
          .set('Cookie', session.cookie)
          .set('X-CSRF-Token', 'x'),
        // Another user's token, and the same user's token of another session.
        app
          .http()
          .post('/things/change')
          .set('Origin', APP_ORIGIN)
          .set('Cookie', session.cookie)
          .set('X-CSRF-Token', other.csrf),
        app
          .http()
          .post('/things/change')
          .set('Origin', APP_ORIGIN)
          .set('Cookie', session.cookie)
          .set('X-CSRF-Token', mine2.csrf),
        // The cookie a sibling subdomain planted, copied into the header: not the session's.
        app
          .http()
          .post('/things/change')
          .set('Origin', APP_ORIGIN)
          .set('Cookie', `${session.cookie}; ${CSRF_COOKIE}=planted`)
          .set('X-CSRF-Token', 'planted'),
      ];
      for (const attempt of attempts) {
        const response = await attempt;
        expect([response.status, (response.body as { error?: string }).error]).to.deep.equal([
          403,
          'csrf_failed',
        ]);
      }
      expect(app.changed()).to.deep.equal([]);
      const reasons = app.events.flatMap((e) => (e.type === 'csrf_failed' ? [e.reason] : []));
      expect(reasons).to.include.members([
        'origin_missing',
        'origin_not_allowed',
        'token_missing',
        'token_mismatch',
      ]);
      const failed = app.events.find((e) => e.type === 'csrf_failed');
      expect(failed).to.include({ userId: '1', method: 'POST', path: '/things/change' });
    });

    it('a request with the cookie and an Authorization header is 400, whatever they hold', async () => {
      const session = await cookieLogin(app);
      const bearer = await app
        .http()
        .post('/auth/login')
        .send({ username: 'other@example.com', password: 'other-password' })
        .expect(200);
      const token = (bearer.body as { access_token: string }).access_token;
      for (const header of [`Bearer ${token}`, `Bearer ${session.access}`, 'Basic dTpw', '']) {
        const response = await app
          .http()
          .get('/things/mine')
          .set('Cookie', session.cookie)
          .set('Authorization', header)
          .expect(400);
        expect((response.body as { error: string }).error).to.equal('invalid_request');
      }
    });

    it('a duplicated or oversized access cookie is 400; a value that is no JWT, or a refresh token, is 401', async () => {
      const session = await cookieLogin(app);
      const other = await cookieLogin(app, 'other@example.com', 'other-password');
      await app
        .http()
        .get('/things/mine')
        .set('Cookie', `${session.cookie}; ${ACCESS_COOKIE}=${other.access}`)
        .expect(400);
      await app
        .http()
        .get('/things/mine')
        .set('Cookie', `${ACCESS_COOKIE}=${'a'.repeat(5000)}`)
        .expect(400);
      for (const value of ['not-a-jwt', 'a.b.c', '"%00"', session.refresh]) {
        const response = await app
          .http()
          .get('/things/mine')
          .set('Cookie', `${ACCESS_COOKIE}=${value}`)
          .expect(401);
        expect((response.body as { error: string }).error).to.equal('invalid_token');
      }
    });

    it('the refresh cookie sent to another route authenticates nothing', async () => {
      const session = await cookieLogin(app);
      const response = await app
        .http()
        .get('/things/mine')
        .set('Cookie', session.refreshCookie)
        .expect(401);
      expect((response.body as { error: string }).error).to.equal('authentication_required');
    });
  });

  describe('refresh', () => {
    function refresh(session: CookieSessionState) {
      return app
        .http()
        .post('/auth/cookie/refresh')
        .set('Origin', APP_ORIGIN)
        .set('Cookie', session.refreshCookie)
        .set('X-CSRF-Token', session.csrf);
    }

    it('rotates the cookies; the spent refresh cookie is reuse', async () => {
      const session = await cookieLogin(app);
      const response = await refresh(session).expect(200).expect('Cache-Control', 'no-store');
      const next = sessionOf(response);
      expect(next.access).to.match(JWT);
      expect(next.refresh).not.to.equal(session.refresh);
      // The same session: the same CSRF token.
      expect(next.csrf).to.equal(session.csrf);
      await app.http().get('/things/mine').set('Cookie', next.cookie).expect(200);
      const reused = await refresh(session).expect(401);
      // The session is over: the 401 clears its dead cookies (the page cannot).
      const cleared = setCookies(reused);
      expect([...cleared.keys()].sort()).to.deep.equal(
        [ACCESS_COOKIE, CSRF_COOKIE, REFRESH_COOKIE].sort(),
      );
      expect(cleared.get(REFRESH_COOKIE)?.attributes).to.include({
        'max-age': '0',
        path: '/auth/cookie/refresh',
      });
      // Reuse ended the session.
      await refresh(next).expect(401);
    });

    it('refuses without the CSRF checks, and nothing is spent', async () => {
      const session = await cookieLogin(app);
      const other = await cookieLogin(app, 'other@example.com', 'other-password');
      const refused = [
        app
          .http()
          .post('/auth/cookie/refresh')
          .set('Cookie', session.refreshCookie)
          .set('X-CSRF-Token', session.csrf),
        app
          .http()
          .post('/auth/cookie/refresh')
          .set('Origin', 'https://evil.example')
          .set('Cookie', session.refreshCookie)
          .set('X-CSRF-Token', session.csrf),
        app
          .http()
          .post('/auth/cookie/refresh')
          .set('Origin', APP_ORIGIN)
          .set('Cookie', session.refreshCookie),
        app
          .http()
          .post('/auth/cookie/refresh')
          .set('Origin', APP_ORIGIN)
          .set('Cookie', session.refreshCookie)
          .set('X-CSRF-Token', other.csrf),
      ];
      for (const attempt of refused) {
        const response = await attempt.expect(403);
        expect(response.headers['set-cookie']).to.equal(undefined);
      }
      await refresh(session).expect(200);
    });

    it('a refresh cookie planted beside ours (a sibling subdomain, Domain=…) cannot lock the user out: the one of the CSRF token’s session is used', async () => {
      const session = await cookieLogin(app);
      const other = await cookieLogin(app, 'other@example.com', 'other-password');
      for (const planted of [other.refresh, 'planted', session.access]) {
        const cookie = `${REFRESH_COOKIE}=${planted}; ${session.refreshCookie}`;
        await app
          .http()
          .post('/auth/cookie/refresh')
          .set('Origin', APP_ORIGIN)
          .set('Cookie', cookie)
          .set('X-CSRF-Token', 'not-the-session')
          .expect(400);
      }
      const cookie = `${REFRESH_COOKIE}=${other.refresh}; ${session.refreshCookie}`;
      const response = await app
        .http()
        .post('/auth/cookie/refresh')
        .set('Origin', APP_ORIGIN)
        .set('Cookie', cookie)
        .set('X-CSRF-Token', session.csrf)
        .expect(200);
      await app.http().get('/things/mine').set('Cookie', sessionOf(response).cookie).expect(200, {
        email: 'user@example.com',
      });
      // The planted one was not spent: its own session refreshes still.
      await app
        .http()
        .post('/auth/cookie/refresh')
        .set('Origin', APP_ORIGIN)
        .set('Cookie', other.refreshCookie)
        .set('X-CSRF-Token', other.csrf)
        .expect(200);
    });

    it('without a refresh cookie is 401; an access token in the refresh cookie is 401', async () => {
      const session = await cookieLogin(app);
      await app
        .http()
        .post('/auth/cookie/refresh')
        .set('Origin', APP_ORIGIN)
        .set('X-CSRF-Token', session.csrf)
        .expect(401);
      const response = await app
        .http()
        .post('/auth/cookie/refresh')
        .set('Origin', APP_ORIGIN)
        .set('Cookie', `${REFRESH_COOKIE}=${session.access}`)
        .set('X-CSRF-Token', session.csrf)
        .expect(401);
      expect((response.body as { error: string }).error).to.equal('invalid_token');
    });

    it('after the access cookie expired, refresh gives a working one', async () => {
      const session = await cookieLogin(app);
      app.clock.advanceSeconds(31 * 60);
      await app.http().get('/things/mine').set('Cookie', session.cookie).expect(401);
      const next = sessionOf(await refresh(session).expect(200));
      await app.http().get('/things/mine').set('Cookie', next.cookie).expect(200);
    });
  });

  describe('logout', () => {
    it('ends the session and clears the three cookies', async () => {
      const session = await cookieLogin(app);
      const response = await fromPage(session, '/auth/cookie/logout').expect(204);
      const cleared = setCookies(response);
      for (const [name, path] of [
        [ACCESS_COOKIE, '/'],
        [REFRESH_COOKIE, '/auth/cookie/refresh'],
        [CSRF_COOKIE, '/'],
      ] as const) {
        expect(cleared.get(name)).to.deep.include({ value: '' });
        expect(cleared.get(name)?.attributes).to.include({ 'max-age': '0', path });
      }
      await app.http().get('/things/mine').set('Cookie', session.cookie).expect(401);
      await app
        .http()
        .post('/auth/cookie/refresh')
        .set('Origin', APP_ORIGIN)
        .set('Cookie', session.refreshCookie)
        .set('X-CSRF-Token', session.csrf)
        .expect(401);
    });

    it('is refused without the CSRF token, and the session lives on', async () => {
      const session = await cookieLogin(app);
      await app
        .http()
        .post('/auth/cookie/logout')
        .set('Origin', APP_ORIGIN)
        .set('Cookie', session.cookie)
        .expect(403);
      await app.http().get('/things/mine').set('Cookie', session.cookie).expect(200);
    });

    it('logout-all and a password change by cookie end the sessions and clear the cookies', async () => {
      const session = await cookieLogin(app);
      const elsewhere = await cookieLogin(app);
      const all = await fromPage(session, '/auth/logout-all').expect(204);
      expect(setCookies(all).get(ACCESS_COOKIE)?.attributes).to.include({ 'max-age': '0' });
      await app.http().get('/things/mine').set('Cookie', elsewhere.cookie).expect(401);

      const again = await cookieLogin(app);
      const changed = await app
        .http()
        .put('/users/me/password')
        .set('Origin', APP_ORIGIN)
        .set('Cookie', again.cookie)
        .set('X-CSRF-Token', again.csrf)
        .send({ current_password: 'user-password', new_password: 'new-password-1' })
        .expect(204);
      expect(setCookies(changed).get(REFRESH_COOKIE)?.attributes).to.include({
        'max-age': '0',
        path: '/auth/cookie/refresh',
      });
      await app.http().get('/things/mine').set('Cookie', again.cookie).expect(401);
      // Without the CSRF token a cookie session cannot change the password.
      const next = await cookieLogin(app, 'user@example.com', 'new-password-1');
      await app
        .http()
        .put('/users/me/password')
        .set('Origin', APP_ORIGIN)
        .set('Cookie', next.cookie)
        .send({ current_password: 'new-password-1', new_password: 'new-password-2' })
        .expect(403);
    });
  });
});
