import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import Koa from 'koa';
import { Container } from 'typedi';
import { BaseAppSettings } from '../../src/config/base-app-settings';
import { configureApp } from '../../src/koa/configure-app';
import { MemoryRevocationStore } from '../../src/revocation/memory-revocation-store';
import { authRoutes } from '../../src/routes/auth-routes';
import type { AuthRoutesOptions } from '../../src/routes/auth-routes';
import type { TokenTransport } from '../../src/transport/token-transport';
import {
  APP_ORIGIN,
  RegisteringUsers,
  cookieApp,
  cookieLogin,
  switchableStore,
} from '../helpers/cookie-app';
import { configurationErrorOf } from '../helpers/configuration-error';
import { MemoryUsers } from '../helpers/memory-users';
import { testEnvironment } from '../helpers/test-environment';

interface Pair {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
}

function configure(
  routes: AuthRoutesOptions,
  options: { users?: MemoryUsers; transports?: TokenTransport[]; origins?: string } = {},
): void {
  configureApp(new Koa(), {
    controllers: authRoutes(routes),
    container: Container.of(`auth-routes-${randomUUID()}`),
    userAuthentication: options.users ?? new RegisteringUsers(),
    ...(options.transports === undefined ? {} : { transports: options.transports }),
    settings: new BaseAppSettings(
      testEnvironment(options.origins === undefined ? {} : { ALLOWED_ORIGINS: options.origins }),
    ),
  });
}

describe('authRoutes: the auth controllers an application mounts', () => {
  describe('the bearer routes, in an application of its own', () => {
    it('login (JSON and form), refresh (JSON and form), logout and logout-all', async () => {
      const app = await cookieApp();
      const json = await app
        .http()
        .post('/auth/login')
        .send({ username: 'user@example.com', password: 'user-password' })
        .expect(200)
        .expect('Cache-Control', 'no-store');
      const pair = json.body as Pair;
      expect(pair).to.include({ token_type: 'bearer', expires_in: 1800 });
      const form = await app
        .http()
        .post('/auth/refresh')
        .type('form')
        .send({ grant_type: 'refresh_token', refresh_token: pair.refresh_token })
        .expect(200);
      const next = form.body as Pair;
      await app
        .http()
        .get('/things/mine')
        .set('Authorization', `Bearer ${next.access_token}`)
        .expect(200);
      // A bearer request needs no CSRF token: no browser attaches the header by itself.
      await app
        .http()
        .post('/things/change')
        .set('Authorization', `Bearer ${next.access_token}`)
        .expect(200);
      await app
        .http()
        .post('/auth/logout')
        .set('Authorization', `Bearer ${next.access_token}`)
        .send({ refresh_token: next.refresh_token })
        .expect(204);
      await app
        .http()
        .post('/auth/refresh')
        .send({ refresh_token: next.refresh_token })
        .expect(401);
      const again = (
        await app
          .http()
          .post('/auth/login')
          .type('form')
          .send({ username: 'user@example.com', password: 'user-password', grant_type: 'password' })
          .expect(200)
      ).body as Pair;
      const response = await app
        .http()
        .post('/auth/logout-all')
        .set('Authorization', `Bearer ${again.access_token}`)
        .expect(204);
      expect(response.headers['set-cookie']).to.equal(undefined);
      await app
        .http()
        .get('/things/mine')
        .set('Authorization', `Bearer ${again.access_token}`)
        .expect(401);
    });

    it('password change: a wrong current password is 400 invalid_credentials, a good one ends every session', async () => {
      const app = await cookieApp();
      const pair = (
        await app
          .http()
          .post('/auth/login')
          .send({ username: 'user@example.com', password: 'user-password' })
      ).body as Pair;
      const wrong = await app
        .http()
        .put('/users/me/password')
        .set('Authorization', `Bearer ${pair.access_token}`)
        .send({ current_password: 'nope', new_password: 'new-password-1' })
        .expect(400);
      expect((wrong.body as { error: string }).error).to.equal('invalid_credentials');
      await app
        .http()
        .put('/users/me/password')
        .set('Authorization', `Bearer ${pair.access_token}`)
        .send({ current_password: 'user-password', new_password: 'new-password-1' })
        .expect(204);
      await app
        .http()
        .get('/things/mine')
        .set('Authorization', `Bearer ${pair.access_token}`)
        .expect(401);
    });

    it('registration: 201 with the public user (no hash, roles from the adapter), 409 when taken, 400 for a bad body', async () => {
      const app = await cookieApp();
      const created = await app
        .http()
        .post('/auth/register')
        .send({ email: 'New@Example.com', password: 'a-new-password', roles: ['admin'] })
        .expect(201);
      expect(created.body).to.deep.equal({ id: 3, username: 'new@example.com', roles: ['user'] });
      const taken = await app
        .http()
        .post('/auth/register')
        .send({ email: 'new@example.com', password: 'a-new-password' })
        .expect(409);
      expect((taken.body as { error: string }).error).to.equal('conflict');
      for (const body of [{ email: 'x', password: 'a-new-password' }, { email: 'a@b.co' }, []]) {
        await app.http().post('/auth/register').send(body).expect(400);
      }
      await app
        .http()
        .post('/auth/login')
        .send({ username: 'new@example.com', password: 'a-new-password' })
        .expect(200);
    });

    it('mounts at the paths given, and leaves out what was not asked for', async () => {
      const app = await cookieApp({
        routes: { basePath: '/api/session', passwordChangePath: '/api/me/password' },
        transports: ['bearer'],
      });
      await app
        .http()
        .post('/api/session/login')
        .send({ username: 'user@example.com', password: 'user-password' })
        .expect(200);
      await app.http().post('/auth/login').send({}).expect(404);
      await app.http().post('/api/session/register').send({}).expect(404);
      await app.http().post('/api/session/cookie/login').send({}).expect(404);
      await app.http().put('/api/me/password').send({}).expect(401);
    });
  });

  describe('transports', () => {
    it('with the cookie transport only, a bearer header authenticates nothing', async () => {
      const app = await cookieApp({ transports: ['cookie'] });
      const pair = (
        await app
          .http()
          .post('/auth/login')
          .send({ username: 'user@example.com', password: 'user-password' })
          .expect(200)
      ).body as Pair;
      const response = await app
        .http()
        .get('/things/mine')
        .set('Authorization', `Bearer ${pair.access_token}`)
        .expect(401);
      expect((response.body as { error: string }).error).to.equal('authentication_required');
      const session = await cookieLogin(app);
      await app.http().get('/things/mine').set('Cookie', session.cookie).expect(200);
    });

    it('with the bearer transport only (the default), cookies authenticate nothing', async () => {
      const withCookies = await cookieApp();
      const session = await cookieLogin(withCookies);
      const bearerOnly = await cookieApp({ transports: ['bearer'], routes: {} });
      // Same signing key in both: only the transport differs.
      await bearerOnly.http().get('/things/mine').set('Cookie', session.cookie).expect(401);
    });
  });

  describe('configuration, refused at start', () => {
    it('the cookie routes without the cookie transport', () => {
      const error = configurationErrorOf(() => configure({ cookies: true }));
      expect(error.variable).to.equal('transports');
    });

    it('registration without createUser', () => {
      const error = configurationErrorOf(() =>
        configure({ registration: true }, { users: new MemoryUsers() }),
      );
      expect(error.variable).to.equal('createUser');
    });

    it('the cookie transport without ALLOWED_ORIGINS', () => {
      const error = configurationErrorOf(() => configure({}, { transports: ['bearer', 'cookie'] }));
      expect(error.variable).to.equal('ALLOWED_ORIGINS');
    });

    it('no transport, or an unknown one', () => {
      for (const transports of [[], ['header'], ['bearer', 'query']]) {
        const error = configurationErrorOf(() =>
          configure({}, { transports: transports as TokenTransport[], origins: APP_ORIGIN }),
        );
        expect(error.variable).to.equal('transports');
      }
    });

    it('the auth routes without a user authentication', () => {
      const error = configurationErrorOf(() =>
        configureApp(new Koa(), {
          controllers: authRoutes(),
          container: Container.of(`auth-routes-${randomUUID()}`),
          settings: new BaseAppSettings(testEnvironment()),
        }),
      );
      expect(error.variable).to.equal('userAuthentication');
    });
  });

  describe('a store down', () => {
    it('a cookie refresh answers 503 and sets no cookie; the session is unchanged afterwards', async () => {
      const { store, down } = switchableStore(new MemoryRevocationStore());
      const app = await cookieApp({ revocationStore: store });
      const session = await cookieLogin(app);
      down(true);
      const refresh = () =>
        app
          .http()
          .post('/auth/cookie/refresh')
          .set('Origin', APP_ORIGIN)
          .set('Cookie', session.refreshCookie)
          .set('X-CSRF-Token', session.csrf);
      const response = await refresh();
      expect(response.status).to.equal(503);
      expect(response.headers['set-cookie']).to.equal(undefined);
      down(false);
      await refresh().expect(200);
    });
  });
});
