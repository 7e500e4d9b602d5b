import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { expect } from 'chai';
import type { CookieApp, CookieSessionState } from '../helpers/cookie-app';
import {
  ACCESS_COOKIE,
  APP_ORIGIN,
  CSRF_COOKIE,
  cookieApp,
  fromPage,
  pageLogin,
  pageRefresh,
  sessionOf,
} from '../helpers/cookie-app';
import { rawRequest } from '../helpers/raw-http-client';

/** An object nested `depth` levels deep. */
function deep(depth: number): unknown {
  let value: unknown = { username: 'u', password: 'p' };
  for (let i = 0; i < depth; i += 1) value = { username: value };
  return value;
}

/**
 * Attacks on the cookie transport that the code withstands, locked in.
 */
describe('cookie transport, hostile requests: CSRF, cookie parsing and the both-transports rule', () => {
  let app: CookieApp;
  let session: CookieSessionState;
  beforeEach(async () => {
    app = await cookieApp();
    session = sessionOf(await pageLogin(app).expect(200));
  });

  const statusAndError = (r: { status: number; body: unknown }) => [
    r.status,
    (r.body as { error?: string }).error,
  ];

  describe('over a raw socket (what supertest cannot send)', () => {
    let server: Server;
    let port: number;
    beforeEach(async () => {
      server = await new Promise<Server>((listening) => {
        const s = app.app.listen(0, '127.0.0.1', () => listening(s));
      });
      port = (server.address() as AddressInfo).port;
    });
    afterEach(() => {
      server.close();
    });

    async function send(requestLine: string, headers: string[]): Promise<[number, string]> {
      const text = [requestLine, 'Host: api.example.com', ...headers, 'Connection: close'];
      const answer = await rawRequest(port, `${text.join('\r\n')}\r\nContent-Length: 0\r\n\r\n`, {
        giveUpMs: 5000,
      });
      const error =
        answer.body === '' ? '' : ((JSON.parse(answer.body) as { error?: string }).error ?? '');
      return [answer.status, error];
    }

    it('lower-case and mixed-case methods never reach a route (Node refuses them: 400)', async () => {
      for (const method of ['post', 'Post', 'pOST']) {
        const [status] = await send(`${method} /things/change HTTP/1.1`, [
          `Cookie: ${session.cookie}`,
          'Origin: https://evil.example',
        ]);
        expect(status, method).to.equal(400);
      }
      expect(app.changed()).to.deep.equal([]);
    });

    it('two Origin headers (either order), two Sec-Fetch-Site, two X-CSRF-Token: 403, nothing runs', async () => {
      const cases = [
        ['Origin: https://evil.example', `Origin: ${APP_ORIGIN}`, `X-CSRF-Token: ${session.csrf}`],
        [`Origin: ${APP_ORIGIN}`, 'Origin: https://evil.example', `X-CSRF-Token: ${session.csrf}`],
        [
          'Sec-Fetch-Site: same-origin',
          'Sec-Fetch-Site: same-origin',
          `X-CSRF-Token: ${session.csrf}`,
        ],
        [`Origin: ${APP_ORIGIN}`, `X-CSRF-Token: ${session.csrf}`, `X-CSRF-Token: ${session.csrf}`],
      ];
      for (const headers of cases) {
        expect(
          await send('POST /things/change HTTP/1.1', [`Cookie: ${session.cookie}`, ...headers]),
          headers.join(' | '),
        ).to.deep.equal([403, 'csrf_failed']);
      }
      expect(app.changed()).to.deep.equal([]);
    });

    it('the access cookie in two Cookie headers is a duplicate: 400', async () => {
      expect(
        await send('GET /things/mine HTTP/1.1', [
          `Cookie: ${ACCESS_COOKIE}=${session.access}`,
          `Cookie: ${ACCESS_COOKIE}=${session.access}`,
        ]),
      ).to.deep.equal([400, 'invalid_request']);
    });

    it('a Cookie header past Node’s 16 KiB is 431; 1500 small cookies beside ours are fine', async () => {
      const [big] = await send('GET /things/mine HTTP/1.1', [
        `Cookie: ${session.cookie}; pad=${'a'.repeat(17_000)}`,
      ]);
      expect(big).to.equal(431);
      const many = Array.from({ length: 1500 }, (_, i) => `c${i}=v`).join('; ');
      expect(
        await send('GET /things/mine HTTP/1.1', [`Cookie: ${many}; ${session.cookie}`]),
      ).to.deep.equal([200, '']);
    });

    it('an empty or blank Authorization header beside the cookie is still "both": 400', async () => {
      for (const header of ['Authorization:', 'Authorization:    ', 'AUTHORIZATION: Basic dTpw']) {
        expect(
          await send('GET /things/mine HTTP/1.1', [`Cookie: ${session.cookie}`, header]),
          header,
        ).to.deep.equal([400, 'invalid_request']);
      }
    });
  });

  it('Origin spellings a browser never sends for the allowed page are refused', async () => {
    for (const origin of [
      `${APP_ORIGIN}/`,
      'https://APP.example.com',
      `${APP_ORIGIN}:443`,
      'http://app.example.com',
      `${APP_ORIGIN}:8443`,
      'null',
      `${APP_ORIGIN}.evil.example`,
      `${APP_ORIGIN}/path`,
      ` ${APP_ORIGIN}x`,
    ]) {
      const response = await app
        .http()
        .post('/things/change')
        .set('Origin', origin)
        .set('Cookie', session.cookie)
        .set('X-CSRF-Token', session.csrf);
      expect(statusAndError(response), origin).to.deep.equal([403, 'csrf_failed']);
    }
    // Sec-Fetch-Site only counts without an Origin, and only as exactly same-origin.
    for (const [origin, site] of [
      ['null', 'same-origin'],
      ['https://evil.example', 'same-origin'],
      ['', 'Same-Origin'],
      ['', 'same-site'],
    ]) {
      const req = app
        .http()
        .post('/things/change')
        .set('Sec-Fetch-Site', site)
        .set('Cookie', session.cookie)
        .set('X-CSRF-Token', session.csrf);
      if (origin !== '') req.set('Origin', origin);
      expect(statusAndError(await req), `${origin} ${site}`).to.deep.equal([403, 'csrf_failed']);
    }
    expect(app.changed()).to.deep.equal([]);
  });

  it('PUT, PATCH and DELETE by cookie are checked like POST', async () => {
    for (const method of ['put', 'patch', 'delete'] as const) {
      const agent = app.http();
      const bare = await agent[method]('/things/change')
        .set('Origin', APP_ORIGIN)
        .set('Cookie', session.cookie);
      expect(statusAndError(bare), method).to.deep.equal([403, 'csrf_failed']);
    }
    expect(app.changed()).to.deep.equal([]);
    for (const method of ['put', 'patch', 'delete'] as const) {
      await fromPage(app, session, '/things/change', method).expect(200);
    }
    expect(app.changed()).to.deep.equal([
      'PUT user@example.com',
      'PATCH user@example.com',
      'DELETE user@example.com',
    ]);
  });

  it('HEAD and OPTIONS run no state-changing action; a method-override header changes nothing', async () => {
    await app.http().head('/things/change').set('Cookie', session.cookie).expect(405);
    await app
      .http()
      .options('/things/change')
      .set('Cookie', session.cookie)
      .expect(200)
      .expect('Allow', 'POST, PUT, PATCH, DELETE');
    await app
      .http()
      .get('/things/change')
      .set('Cookie', session.cookie)
      .set('X-HTTP-Method-Override', 'POST')
      .expect(405);
    await app.http().get('/things/change?_method=POST').set('Cookie', session.cookie).expect(405);
    expect(app.changed()).to.deep.equal([]);
  });

  it('cookie names: exact, case-sensitive; spaces around the name and quotes around the value are read', async () => {
    await app
      .http()
      .get('/things/mine')
      .set('Cookie', `__host-fastcore-access=${session.access}`)
      .expect(401, {
        error: 'authentication_required',
        error_description: 'Authentication is required.',
      });
    await app
      .http()
      .get('/things/mine')
      .set('Cookie', `${ACCESS_COOKIE.toUpperCase()}=${session.access}`)
      .expect(401);
    await app
      .http()
      .get('/things/mine')
      .set('Cookie', `  ${ACCESS_COOKIE} =${session.access}`)
      .expect(200);
    await app
      .http()
      .get('/things/mine')
      .set('Cookie', `${ACCESS_COOKIE}="${session.access}"`)
      .expect(200);
    // One spelled with spaces beside the real one is the same name: a duplicate.
    await app
      .http()
      .get('/things/mine')
      .set('Cookie', `${ACCESS_COOKIE}=${session.access}; ${ACCESS_COOKIE} =x`)
      .expect(400);
  });

  it('cookie values that are no JWT, percent-encoded, non-ASCII or 4096 bytes: 401, never 5xx', async () => {
    for (const value of [
      encodeURIComponent(session.access).replace(/\./g, '%2E'),
      'ÿþ',
      'eyJhbGciOiJub25lIn0.e30.',
      '"',
      '""x',
      'a'.repeat(4096),
      '%00',
      `${session.access}.`,
    ]) {
      for (const [path, name] of [
        ['/things/mine', ACCESS_COOKIE],
        ['/things/public', ACCESS_COOKIE],
      ] as const) {
        const response = await app.http().get(path).set('Cookie', `${name}=${value}`);
        expect(response.status, `${path} ${value.slice(0, 30)}`).to.be.within(400, 499);
      }
      const refresh = await app
        .http()
        .post('/auth/cookie/refresh')
        .set('Origin', APP_ORIGIN)
        .set('Cookie', `__Secure-fastcore-refresh=${value}`)
        .set('X-CSRF-Token', session.csrf);
      expect(refresh.status, `refresh ${value.slice(0, 30)}`).to.be.within(400, 499);
    }
    expect(app.errors).to.deep.equal([]);
  });

  it('the cookie refresh ignores an Authorization header of another user (it is no credential there)', async () => {
    const other = (
      await app
        .http()
        .post('/auth/login')
        .send({ username: 'other@example.com', password: 'other-password' })
        .expect(200)
    ).body as { access_token: string };
    const next = sessionOf(
      await pageRefresh(app, session)
        .set('Authorization', `Bearer ${other.access_token}`)
        .expect(200),
    );
    await app
      .http()
      .get('/things/mine')
      .set('Cookie', next.cookie)
      .expect(200, { email: 'user@example.com' });
  });

  it('a CSRF token of a session that was logged out does not pass with the next session of the same user', async () => {
    await fromPage(app, session, '/auth/cookie/logout').expect(204);
    const again = sessionOf(await pageLogin(app).expect(200));
    expect(again.csrf).not.to.equal(session.csrf);
    const response = await app
      .http()
      .post('/things/change')
      .set('Origin', APP_ORIGIN)
      .set('Cookie', again.cookie)
      .set('X-CSRF-Token', session.csrf);
    expect(statusAndError(response)).to.deep.equal([403, 'csrf_failed']);
    // Nor the CSRF cookie value the page could read: only the header counts.
    const cookieOnly = await app
      .http()
      .post('/things/change')
      .set('Origin', APP_ORIGIN)
      .set('Cookie', `${ACCESS_COOKIE}=${again.access}; ${CSRF_COOKIE}=${again.csrf}`);
    expect(statusAndError(cookieOnly)).to.deep.equal([403, 'csrf_failed']);
  });

  it('the auth routes’ bodies: arrays, nesting, numbers, operators, huge strings are 4xx, never 5xx', async () => {
    const bodies: unknown[] = [
      [],
      [{ username: 'user@example.com', password: 'user-password' }],
      1,
      'x',
      null,
      { username: ['user@example.com'], password: 'user-password' },
      { username: { $ne: null }, password: 'x' },
      { username: 'a'.repeat(10_000), password: 'b' },
      { username: 'u', password: 'p'.repeat(5000) },
      { username: 1, password: 2 },
      { email: 'a@b.co', password: { toString: 1 } },
      { refresh_token: ['x'] },
      { refresh_token: 'x'.repeat(15_000) },
      { current_password: 'user-password', new_password: ['x'] },
      deep(40),
    ];
    const paths = [
      '/auth/login',
      '/auth/cookie/login',
      '/auth/refresh',
      '/auth/register',
      '/auth/cookie/refresh',
    ];
    for (const path of paths) {
      for (const body of bodies) {
        const response = await app
          .http()
          .post(path)
          .set('Origin', APP_ORIGIN)
          .set('Content-Type', 'application/json')
          .send(JSON.stringify(body));
        expect(response.status, `${path} ${JSON.stringify(body).slice(0, 40)}`).to.be.within(
          400,
          499,
        );
      }
    }
    for (const body of bodies) {
      const response = await fromPage(app, session, '/users/me/password', 'put')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify(body));
      expect(response.status, `password ${JSON.stringify(body).slice(0, 40)}`).to.be.within(
        400,
        499,
      );
    }
    expect(app.errors).to.deep.equal([]);
  });

  it('registration: roles and ids from the body are ignored; a 409 counts against the address like a 201', async () => {
    const limited = await cookieApp({ env: { REGISTER_MAX_PER_ADDRESS: '2' } });
    const created = await limited
      .http()
      .post('/auth/register')
      .send({
        email: 'n@example.com',
        password: 'a-new-password',
        roles: ['admin'],
        id: 1,
        is_active: false,
        hashed_password: 'x',
      })
      .expect(201);
    expect(created.body).to.deep.equal({ id: 3, username: 'n@example.com', roles: ['user'] });
    await limited
      .http()
      .post('/auth/register')
      .send({ email: 'user@example.com', password: 'a-new-password' })
      .expect(409);
    // The third, of a free name, is past the limit: 409s were no free oracle.
    await limited
      .http()
      .post('/auth/register')
      .send({ email: 'm@example.com', password: 'a-new-password' })
      .expect(429);
  });

  it('audit events of refusals carry no token and no CSRF token', async () => {
    await app
      .http()
      .post('/things/change')
      .set('Origin', 'https://evil.example')
      .set('Cookie', session.cookie)
      .set('X-CSRF-Token', session.csrf);
    await app
      .http()
      .post('/things/change')
      .set('Origin', APP_ORIGIN)
      .set('Cookie', session.cookie)
      .set('X-CSRF-Token', `${session.csrf}x`);
    await pageRefresh(app, session).set('Origin', 'https://evil.example');
    await app.http().get('/things/mine').set('Cookie', `${session.cookie}; ${ACCESS_COOKIE}=x`);
    const recorded = JSON.stringify(app.events);
    expect(app.events.filter((e) => e.type === 'csrf_failed')).to.have.length(3);
    for (const secret of [session.csrf, session.access, session.refresh]) {
      expect(recorded.includes(secret)).to.equal(false);
    }
  });
});
