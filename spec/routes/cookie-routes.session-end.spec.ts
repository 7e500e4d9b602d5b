import { expect } from 'chai';
import { APP_ORIGIN, CSRF_COOKIE, REFRESH_COOKIE, cookieApp } from '../helpers/cookie-app';
import type { CookieApp } from '../helpers/cookie-app';
import { BrowserJar } from '../helpers/browser-jar';

/**
 * A browser that follows the README's page recipe, with a cookie jar that keeps each cookie's
 * Path and Max-Age: how a cookie session ends when the page is idle, or was ended elsewhere.
 */
describe('ending a cookie session, as a browser keeps its cookies', () => {
  let app: CookieApp;
  let jar: BrowserJar;
  beforeEach(async () => {
    app = await cookieApp();
    jar = new BrowserJar(app.clock);
  });

  /** A request as the page sends it: the jar's cookies for that path, the CSRF token it can read. */
  function page(method: 'post' | 'put' | 'get', path: string) {
    const req = app.http()[method](path).set('Origin', APP_ORIGIN);
    const cookie = jar.cookieHeader(path);
    if (cookie !== '') req.set('Cookie', cookie);
    const csrf = jar.value(CSRF_COOKIE);
    if (csrf !== undefined && method !== 'get') req.set('X-CSRF-Token', csrf);
    return req;
  }

  async function login(): Promise<void> {
    jar.receive(
      await page('post', '/auth/cookie/login')
        .send({ username: 'user@example.com', password: 'user-password' })
        .expect(200),
    );
  }

  it('logout after the access cookie ran out (an idle tab) is 401 and clears nothing: the route needs the access cookie (the contract), and the recipe below ends the session', async () => {
    await login();
    // 31 minutes idle: the browser dropped the access cookie (Max-Age 1800).
    app.clock.advanceSeconds(31 * 60);
    const logout = jar.receive(await page('post', '/auth/cookie/logout'));
    expect(logout.status).to.equal(401);
    // Nothing cleared: a 401 before the CSRF checks must not let another page of the site
    // log the browser out.
    expect(logout.headers['set-cookie']).to.equal(undefined);
    expect(jar.names()).to.have.members([REFRESH_COOKIE, CSRF_COOKIE]);
  });

  it('a refresh refused because the session ended elsewhere (logout-all on another device) clears the dead cookies (the page cannot remove HttpOnly cookies)', async () => {
    await login();
    const elsewhere = (
      await app
        .http()
        .post('/auth/login')
        .send({ username: 'user@example.com', password: 'user-password' })
        .expect(200)
    ).body as { access_token: string };
    await app
      .http()
      .post('/auth/logout-all')
      .set('Authorization', `Bearer ${elsewhere.access_token}`)
      .expect(204);
    // The page sees 401 and refreshes, as the README says; the session is over.
    await page('get', '/things/mine').expect(401);
    const refused = jar.receive(await page('post', '/auth/cookie/refresh'));
    expect(refused.status).to.equal(401);
    expect(jar.names(), 'dead cookies still in the browser').to.deep.equal([]);
    // What the dead cookies do meanwhile: a public page with an optional user answers 401.
    await page('get', '/things/public').expect(200, { hello: 'anonymous' });
  });

  it('holds: the README recipe (401 → refresh → retry) does log an idle tab out', async () => {
    await login();
    app.clock.advanceSeconds(31 * 60);
    await page('post', '/auth/cookie/logout').expect(401);
    jar.receive(await page('post', '/auth/cookie/refresh').expect(200));
    jar.receive(await page('post', '/auth/cookie/logout').expect(204));
    expect(jar.names()).to.deep.equal([]);
  });
});
