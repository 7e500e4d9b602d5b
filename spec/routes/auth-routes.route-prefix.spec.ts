import { expect } from 'chai';
import { APP_ORIGIN, CSRF_COOKIE, cookieApp } from '../helpers/cookie-app';
import { BrowserJar } from '../helpers/browser-jar';

/**
 * Regression (attack review): `configureApp` knows the prefix it mounts the auth routes under,
 * and the refresh cookie's `Path` must be the refresh route as a browser requests it, or every
 * cookie refresh is 401. A mismatch is refused at start.
 */
describe('auth routes under configureApp routePrefix: the refresh cookie Path', () => {
  it('a browser can refresh at /api/auth/cookie/refresh (or start-up refuses the mismatch)', async () => {
    let app: Awaited<ReturnType<typeof cookieApp>>;
    try {
      app = await cookieApp({ extra: { routePrefix: '/api' } });
    } catch (error) {
      // Refusing the configuration at start is a fix too.
      expect((error as { code?: string }).code).to.equal('ERR_CONFIGURATION');
      return;
    }
    const jar = new BrowserJar(app.clock);
    jar.receive(
      await app
        .http()
        .post('/api/auth/cookie/login')
        .set('Origin', APP_ORIGIN)
        .send({ username: 'user@example.com', password: 'user-password' })
        .expect(200),
    );
    const path = '/api/auth/cookie/refresh';
    const refresh = await app
      .http()
      .post(path)
      .set('Origin', APP_ORIGIN)
      .set('Cookie', jar.cookieHeader(path))
      .set('X-CSRF-Token', jar.value(CSRF_COOKIE) ?? '');
    expect([refresh.status, (refresh.body as { error?: string }).error]).to.deep.equal([
      200,
      undefined,
    ]);
  });
});
