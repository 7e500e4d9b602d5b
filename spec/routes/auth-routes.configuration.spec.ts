import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import Koa from 'koa';
import request from 'supertest';
import { useKoaServer } from 'routing-controllers';
import { Container } from 'typedi';
import { AuditTrail } from '../../src/audit/audit-trail';
import { BaseAppSettings } from '../../src/config/base-app-settings';
import { parseAllowedOrigins } from '../../src/config/cookie-settings';
import { configureApp } from '../../src/koa/configure-app';
import { routingControllersOptions } from '../../src/koa/routing-controllers-options';
import { authRoutes } from '../../src/routes/auth-routes';
import { configureSecurity } from '../../src/security/configure-security';
import { cookieNames } from '../../src/transport/cookie-names';
import { APP_ORIGIN, cookieApp, pageLogin } from '../helpers/cookie-app';
import { MemoryUsers } from '../helpers/memory-users';
import { testEnvironment } from '../helpers/test-environment';

/** The variable of the ConfigurationError `build` throws; `undefined` when it is accepted. */
function refusedVariable(build: () => unknown): string | undefined {
  try {
    build();
    return undefined;
  } catch (error) {
    expect((error as { code?: string }).code).to.equal('ERR_CONFIGURATION');
    return (error as { variable: string }).variable;
  }
}

const refusedAtStart = (build: () => unknown): boolean => refusedVariable(build) !== undefined;

describe('configuring the auth routes and the cookie transport', () => {
  describe('the documented useKoaServer wiring (configureSecurity + routingControllersOptions)', () => {
    it('with useKoaServer wiring, cookie routes without the cookie transport and registration without createUser answer 404, never 500, and are reported once each', async () => {
      const container = Container.of(`attack-manual-${randomUUID()}`);
      const users = new MemoryUsers(); // no createUser
      const reported: unknown[] = [];
      configureSecurity(
        {
          userAuthentication: users,
          // transports: the default, ['bearer']
          settings: new BaseAppSettings(testEnvironment({ ALLOWED_ORIGINS: APP_ORIGIN })),
          reportError: (event) => reported.push(event),
        },
        container,
      );
      const app = new Koa();
      const wire = () =>
        useKoaServer(app, {
          controllers: authRoutes({ cookies: true, registration: true }),
          ...routingControllersOptions(app, { container }),
        });
      if (refusedAtStart(wire)) return;
      await users.add('user@example.com', 'user-password');
      const login = await request(app.callback())
        .post('/auth/cookie/login')
        .set('Origin', APP_ORIGIN)
        .send({ username: 'user@example.com', password: 'user-password' });
      const register = await request(app.callback())
        .post('/auth/register')
        .send({ email: 'new@example.com', password: 'a-new-password' });
      const again = await request(app.callback())
        .post('/auth/register')
        .send({ email: 'new@example.com', password: 'a-new-password' });
      expect([login.status, register.status, again.status]).to.deep.equal([404, 404, 404]);
      expect((login.body as { error: string }).error).to.equal('not_found');
      expect(reported).to.deep.equal(['auth_route_not_served', 'auth_route_not_served']);
    });
  });

  describe('paths of authRoutes', () => {
    it('a refreshCookiePath that cannot be a cookie Path is refused at start', async () => {
      const routes = {
        cookies: true,
        refreshCookiePath: '/auth/cookie/refresh; Domain=example.com',
      };
      let app: Awaited<ReturnType<typeof cookieApp>>;
      try {
        app = await cookieApp({ routes });
      } catch (error) {
        expect((error as { code?: string }).code).to.equal('ERR_CONFIGURATION');
        return;
      }
      const login = await pageLogin(app);
      expect({
        status: login.status,
        audited: app.events.map((e) => e.type),
      }).to.deep.equal({ status: 'refused at start', audited: [] });
    });
  });

  describe('cookie settings', () => {
    const settings = (env: Record<string, string>) => new BaseAppSettings(testEnvironment(env));

    it('a wildcard origin is refused, as parseAllowedOrigins documents', () => {
      expect(refusedVariable(() => parseAllowedOrigins('https://*.example.com'))).to.equal(
        'ALLOWED_ORIGINS',
      );
    });

    it('with COOKIE_SECURE=false no cookie name keeps a __Host-/__Secure- prefix that browsers refuse without Secure', () => {
      for (const prefix of ['__Host', '__Secure', '__host', '__SECURE']) {
        const env = { COOKIE_SECURE: 'false', COOKIE_NAME_PREFIX: prefix };
        if (refusedAtStart(() => settings(env))) continue;
        const names = Object.values(cookieNames(settings(env).cookies));
        expect(
          names.filter((name) => /^__(host|secure)-/i.test(name)),
          `COOKIE_NAME_PREFIX=${prefix}`,
        ).to.deep.equal([]);
      }
    });

    it('in production an http:// origin other than localhost is refused, as COOKIE_SECURE=false is', () => {
      const production = {
        NODE_ENV: 'production',
        BCRYPT_ROUNDS: '12',
        ALLOWED_ORIGINS: 'http://app.example.com',
      };
      // The same production settings with an https origin, or localhost, start.
      expect(
        refusedVariable(() =>
          settings({ ...production, ALLOWED_ORIGINS: 'https://app.example.com' }),
        ),
      ).to.equal(undefined);
      expect(
        refusedVariable(() =>
          settings({ ...production, ALLOWED_ORIGINS: 'http://localhost:5173' }),
        ),
      ).to.equal(undefined);
      expect(refusedVariable(() => settings(production))).to.equal('ALLOWED_ORIGINS');
    });
  });

  describe('options given twice', () => {
    it('the same transports in another order, to configureSecurity then configureApp, are the same option', () => {
      const container = Container.of(`attack-twice-${randomUUID()}`);
      const common = {
        settings: new BaseAppSettings(testEnvironment({ ALLOWED_ORIGINS: APP_ORIGIN })),
      };
      configureSecurity({ ...common, transports: ['bearer', 'cookie'] }, container);
      expect(() =>
        configureApp(new Koa(), { controllers: [], container, transports: ['cookie', 'bearer'] }),
      ).not.to.throw();
      expect(container.get(AuditTrail)).to.be.instanceOf(AuditTrail);
    });
  });
});
