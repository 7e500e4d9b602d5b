import { expect } from 'chai';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { Browser, Page, Request } from 'playwright-core';
import { ERROR_DESCRIPTIONS } from '../../src/advanced';
import { demoHarness } from '../helpers/demo-harness';
import type { DemoHarness } from '../helpers/demo-harness';
import { CHROMIUM, CHROMIUM_FLAGS, requireChromium } from '../helpers/headless-chromium';
import {
  ACCESS,
  ACCESS_LIFETIME_SECONDS,
  CSRF,
  close,
  fetchFromPage,
  listen,
} from '../helpers/browser-page';
import type { AuditLine } from '../helpers/browser-page';

/** A request as the server answered it, and which device sent it. */
interface Answer {
  method: string;
  path: string;
  status: number;
  agent: string | undefined;
  origin: string | undefined;
  /** Whether the browser sent any cookie with it. */
  cookies: boolean;
}

/** A session as the page lists it. */
interface Row {
  device: string;
  current: boolean;
  details: string;
  times: { datetime: string; title: string; text: string }[];
  end: boolean;
}

/**
 * The attacker's page, `/delete?to=<url>`: reads whatever `-csrf` cookie it can see, sends a
 * credentialed DELETE there with it in X-CSRF-Token (a method and a header that need a CORS
 * preflight), and writes what it could see of the answer in `body[data-outcome]`
 * (`blocked`: CORS hid it or stopped it), and the token it found in `body[data-csrf]`.
 */
function attackerPage(request: IncomingMessage, response: ServerResponse): void {
  const to = new URL(request.url ?? '/', 'http://attacker').searchParams.get('to') ?? '';
  response.setHeader('Content-Type', 'text/html; charset=utf-8');
  response.end(`<!doctype html><html><head><title>You won</title></head><body><script>
const csrf = (document.cookie.split('; ').find((c) => /-csrf=/.test(c)) ?? '=').split('=')[1];
document.body.dataset.csrf = csrf;
fetch(${JSON.stringify(to)}, { method: 'DELETE', credentials: 'include',
  headers: { 'X-CSRF-Token': csrf } })
  .then((answer) => String(answer.status), () => 'blocked')
  .then((outcome) => { document.body.dataset.outcome = outcome; });
</script></body></html>`);
}

/**
 * A CORS layer in front of the demo that approves every preflight, credentials included: a
 * misconfigured proxy. The demo has no CORS of its own, so without it no cross-origin DELETE
 * ever leaves the browser; with it, the demo's own Origin check is what must refuse.
 */
function permissiveCors(request: IncomingMessage, response: ServerResponse): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return false;
  response.setHeader('Access-Control-Allow-Origin', origin);
  response.setHeader('Access-Control-Allow-Credentials', 'true');
  if (request.method !== 'OPTIONS') return false;
  response.setHeader('Access-Control-Allow-Methods', 'DELETE');
  response.setHeader('Access-Control-Allow-Headers', 'X-CSRF-Token');
  response.writeHead(204).end();
  return true;
}

describe('a real browser: the sessions on the page at /app/, one browser context per device, in headless Chromium', function () {
  this.timeout(60_000);
  let h: DemoHarness;
  let demoServer: Server | undefined;
  let attackerServer: Server | undefined;
  let browser: Browser | undefined;
  let demo: string;
  let attacker: string;
  let corsInFront = false;
  const answers: Answer[] = [];
  let problems: string[] = [];
  let users = 0;
  let handle: RequestListener = (_request, response) => void response.writeHead(503).end();

  before(async function () {
    requireChromium(this);
    const listening = await listen((request, response) => {
      response.on('finish', () =>
        answers.push({
          method: request.method ?? '',
          path: new URL(request.url ?? '/', 'http://demo').pathname,
          status: response.statusCode,
          agent: request.headers['user-agent'],
          origin: request.headers.origin,
          cookies: request.headers.cookie !== undefined,
        }),
      );
      if (corsInFront && permissiveCors(request, response)) return;
      handle(request, response);
    });
    demoServer = listening.server;
    demo = `http://127.0.0.1:${listening.port}`;
    h = await demoHarness({ PORT: String(listening.port) });
    const callback = h.demo.app.callback();
    handle = (request, response) => void callback(request, response);
    const attackerListening = await listen(attackerPage);
    attackerServer = attackerListening.server;
    // Same site as the demo (cookies are not scoped by port), another origin.
    attacker = `http://127.0.0.1:${attackerListening.port}`;
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
    });
  });

  after(async () => {
    await browser?.close();
    await close(attackerServer);
    await close(demoServer);
    await h?.close();
  });

  afterEach(async () => {
    corsInFront = false;
    for (const context of browser?.contexts() ?? []) await context.close();
    expect(problems, 'CSP violations, script errors or an Authorization header').to.deep.equal([]);
    problems = [];
  });

  /** A user of this test's own: no session of another test in its list. */
  async function newUser(): Promise<{ email: string; password: string }> {
    const user = {
      email: `device-owner-${++users}@example.com`,
      password: 'correct-horse-battery',
    };
    await h.http().post('/auth/register').send(user).expect(201);
    return user;
  }

  /** A device: a browser context of its own (its own cookie jar), on the app's page, watched. */
  async function device(userAgent: string): Promise<Page> {
    const context = await browser!.newContext({ userAgent });
    const page = await context.newPage();
    page.on('console', (message) => {
      if (/Content Security Policy|Trusted Type/i.test(message.text())) {
        problems.push(message.text());
      }
    });
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('request', (request) => {
      if (request.headers()['authorization'] !== undefined) problems.push(request.url());
    });
    await page.goto(`${demo}/app/`);
    return page;
  }

  const signInShown = (page: Page) => page.getByRole('button', { name: 'Sign in' }).waitFor();
  const account = (page: Page) => page.getByRole('region', { name: 'Signed in' });
  const rowOf = (page: Page, device: string) =>
    page.getByRole('listitem').filter({ hasText: device });

  /**
   * Resolves once the page's session list has loaded with `count` sessions. A locator, not
   * `waitForFunction`: that evaluates its predicate with `eval`, which the page's CSP refuses.
   */
  async function sessionsShown(page: Page, count: number): Promise<void> {
    await page
      .locator(
        `#session-list[aria-busy="false"]:has(> li:nth-child(${count})):not(:has(> li:nth-child(${count + 1})))`,
      )
      .waitFor({ state: 'attached' });
  }

  /** Clicks Reload user, and waits for the list that loads then: `count` sessions. */
  async function reload(page: Page, count: number): Promise<void> {
    const listed = page.waitForResponse(
      (r) => r.request().method() === 'GET' && new URL(r.url()).pathname === '/auth/sessions',
    );
    await page.getByRole('button', { name: 'Reload user' }).click();
    expect((await listed).status()).to.equal(200);
    // aria-busy went to true before that request: now false means this answer is shown.
    await sessionsShown(page, count);
  }

  async function logIn(page: Page, user: { email: string; password: string }): Promise<void> {
    await page.getByLabel('Email', { exact: true }).fill(user.email);
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await account(page).waitFor();
    await page.locator('#session-list[aria-busy="false"] > li').first().waitFor();
  }

  /** The page's list, as a reader sees it. */
  function rows(page: Page): Promise<Row[]> {
    return page.evaluate<
      Row[]
    >(`[...document.querySelectorAll('#session-list > li')].map((item) => ({
      device: item.querySelector('strong').textContent,
      current: item.querySelector('.current')?.textContent === 'this device',
      details: item.querySelector('small').textContent,
      times: [...item.querySelectorAll('time')].map((time) =>
        ({ datetime: time.dateTime, title: time.title, text: time.textContent })),
      end: item.querySelector('button')?.textContent === 'End',
    }))`);
  }

  /** What happened from now on: the server's answers and the audit lines of its log. */
  function mark(): { answers: () => Answer[]; audit: () => AuditLine[] } {
    const [answered, logged] = [answers.length, h.logs.length];
    return {
      answers: () => answers.slice(answered),
      audit: () =>
        h.logs
          .slice(logged)
          .map((line) => JSON.parse(line) as AuditLine)
          .filter((line) => line.event.startsWith('audit.')),
    };
  }

  const calls = (seen: Answer[]) =>
    seen.map((answer) => `${answer.agent}: ${answer.method} ${answer.path} ${answer.status}`);

  async function csrfOf(page: Page): Promise<string> {
    return (await page.context().cookies()).find((cookie) => cookie.name === CSRF)!.value;
  }

  /** The ids of the sessions `page`'s user has, from the API, current first. */
  async function sessionIds(page: Page): Promise<string[]> {
    const listed = await fetchFromPage(page, 'GET', '/auth/sessions');
    expect(listed.status).to.equal(200);
    const sessions = listed.body as { id: string; current: boolean }[];
    return [...sessions.filter((s) => s.current), ...sessions.filter((s) => !s.current)].map(
      (s) => s.id,
    );
  }

  /**
   * Clicks Reload user on a device whose session has ended: the form. Its access cookie went
   * with `/users/me` and was refused (`denied`: as revoked, unless it had expired), then its
   * refresh cookie too, and that 401 cleared the dead cookies.
   */
  async function expectSignedOut(page: Page, denied = 'ERR_TOKEN_REVOKED'): Promise<void> {
    const refused = mark();
    await page.getByRole('button', { name: 'Reload user' }).click();
    await signInShown(page);
    expect(await account(page).isHidden()).to.equal(true);
    const agent = await page.evaluate<string>('navigator.userAgent');
    expect(
      refused.answers().map((r) => [r.agent, r.method, r.path, r.status, r.cookies]),
    ).to.deep.equal([
      [agent, 'GET', '/users/me', 401, true],
      [agent, 'POST', '/auth/cookie/refresh', 401, true],
    ]);
    expect(refused.audit().map((line) => [line.event, line.reason, line.path])).to.deep.equal([
      ['audit.access_denied', denied, '/users/me'],
    ]);
    expect(await page.context().cookies()).to.deep.equal([]);
  }

  it('lists the sessions: each device with its user agent (as text), address and times, "this device" marked, End on the others only', async () => {
    const user = await newUser();
    const a = await device('Device A (spec)');
    const aAt = new Date(h.clock.now()).toISOString();
    await logIn(a, user);
    h.clock.advanceSeconds(60);
    // A user agent is any text a client sends: it must show as text, never become markup.
    const bAgent = 'Device B <img src=x onerror=alert(1)> (spec)';
    const b = await device(bAgent);
    const bAt = new Date(h.clock.now()).toISOString();
    await logIn(b, user);

    const loading = mark();
    await reload(a, 2);
    expect(calls(loading.answers())).to.deep.equal([
      'Device A (spec): GET /users/me 200',
      'Device A (spec): GET /auth/sessions 200',
    ]);
    const listed = await rows(a);
    expect(listed.map((row) => [row.device, row.current, row.end])).to.deep.equal([
      [bAgent, false, true],
      ['Device A (spec)', true, false],
    ]);
    expect(await a.locator('#session-list img').count()).to.equal(0);
    // Created and last used (no refresh yet): the exact instant in datetime and title, the
    // reader's local form (whatever the locale) as text.
    expect(listed.map((row) => row.times.map((t) => [t.datetime, t.title]))).to.deep.equal([
      [
        [bAt, bAt],
        [bAt, bAt],
      ],
      [
        [aAt, aAt],
        [aAt, aAt],
      ],
    ]);
    const local = (iso: string) => a.evaluate((at) => new Date(at).toLocaleString(), iso);
    const [aLocal, bLocal] = [await local(aAt), await local(bAt)];
    expect(aLocal).not.to.equal(bLocal);
    expect(listed.map((row) => row.details)).to.deep.equal([
      `127.0.0.1, signed in ${bLocal}, last used ${bLocal}`,
      `127.0.0.1, signed in ${aLocal}, last used ${aLocal}`,
    ]);
    expect(await a.getByRole('button', { name: 'End all other sessions' }).isEnabled()).to.equal(
      true,
    );
    // B sees the same two, its own marked.
    await sessionsShown(b, 2);
    expect((await rows(b)).map((row) => [row.device, row.current])).to.deep.equal([
      [bAgent, true],
      ['Device A (spec)', false],
    ]);
  });

  it('A ends B’s session with End: B is signed out at once, its unexpired access cookie refused; A’s list shows one session', async () => {
    const user = await newUser();
    const a = await device('Device A (spec)');
    await logIn(a, user);
    h.clock.advanceSeconds(60);
    const b = await device('Device B (spec)');
    await logIn(b, user);
    const [bSession] = await sessionIds(b);
    await reload(a, 2);
    const frozenAt = h.clock.now();

    const sent: Request[] = [];
    a.on('request', (request) => {
      if (request.method() === 'DELETE') sent.push(request);
    });
    const ending = mark();
    await rowOf(a, 'Device B (spec)').getByRole('button', { name: 'End' }).click();
    await sessionsShown(a, 1);
    expect(calls(ending.answers())).to.deep.equal([
      `Device A (spec): DELETE /auth/sessions/${bSession} 204`,
      'Device A (spec): GET /auth/sessions 200',
    ]);
    expect(sent.map((request) => request.headers()['x-csrf-token'])).to.deep.equal([
      await csrfOf(a),
    ]);
    expect(ending.audit().map((line) => [line.event, line.reason])).to.deep.equal([
      ['audit.session_ended', 'ended'],
    ]);
    expect((await rows(a)).map((row) => [row.device, row.current])).to.deep.equal([
      ['Device A (spec)', true],
    ]);
    expect(await a.getByRole('status').innerText()).to.equal('The session has ended.');
    expect(await a.getByRole('button', { name: 'End all other sessions' }).isDisabled()).to.equal(
      true,
    );

    // B still holds an access cookie the clock has not expired; its next request is refused.
    const bAccess = (await b.context().cookies()).find((cookie) => cookie.name === ACCESS);
    expect(bAccess?.expires).to.be.greaterThan(Date.now() / 1000);
    await expectSignedOut(b);
    expect(h.clock.now(), 'the clock never moved').to.equal(frozenAt);

    // A stays signed in, with one session.
    expect(await sessionIds(a)).to.have.length(1);
    expect((await fetchFromPage(a, 'GET', '/users/me')).status).to.equal(200);
  });

  it('“End all other sessions” on A ends B and C at once; A stays signed in', async () => {
    const user = await newUser();
    const devices: Page[] = [];
    for (const name of ['A', 'B', 'C']) {
      devices.push(await device(`Device ${name} (spec)`));
      await logIn(devices.at(-1)!, user);
      h.clock.advanceSeconds(60);
    }
    const [a, b, c] = devices as [Page, Page, Page];
    await reload(a, 3);
    expect((await rows(a)).map((row) => [row.device, row.current, row.end])).to.deep.equal([
      ['Device C (spec)', false, true],
      ['Device B (spec)', false, true],
      ['Device A (spec)', true, false],
    ]);

    const ending = mark();
    await a.getByRole('button', { name: 'End all other sessions' }).click();
    await sessionsShown(a, 1);
    expect(calls(ending.answers())).to.deep.equal([
      'Device A (spec): DELETE /auth/sessions 204',
      'Device A (spec): GET /auth/sessions 200',
    ]);
    expect(ending.audit().map((line) => [line.event, line.reason])).to.deep.equal([
      ['audit.session_ended', 'others_ended'],
      ['audit.session_ended', 'others_ended'],
    ]);
    expect(await a.getByRole('status').innerText()).to.equal('Every other session has ended.');
    expect((await rows(a)).map((row) => [row.device, row.current])).to.deep.equal([
      ['Device A (spec)', true],
    ]);

    await expectSignedOut(b);
    await expectSignedOut(c);
    await reload(a, 1);
    expect(await a.locator('#user-email').innerText()).to.equal(user.email);
  });

  it('End goes through the silent refresh: with A’s access cookie expired, the DELETE is retried once the cookies are rotated', async () => {
    const user = await newUser();
    const a = await device('Device A (spec)');
    const signedInAt = new Date(h.clock.now()).toISOString();
    await logIn(a, user);
    const b = await device('Device B (spec)');
    await logIn(b, user);
    const [bSession] = await sessionIds(b);
    await reload(a, 2);

    h.clock.advanceSeconds(ACCESS_LIFETIME_SECONDS + 60);
    const refreshedAt = new Date(h.clock.now()).toISOString();
    const ending = mark();
    await rowOf(a, 'Device B (spec)').getByRole('button', { name: 'End' }).click();
    await sessionsShown(a, 1);
    expect(calls(ending.answers())).to.deep.equal([
      `Device A (spec): DELETE /auth/sessions/${bSession} 401`,
      'Device A (spec): POST /auth/cookie/refresh 200',
      `Device A (spec): DELETE /auth/sessions/${bSession} 204`,
      'Device A (spec): GET /auth/sessions 200',
    ]);
    // The refresh was a use of A's session.
    const [own] = await rows(a);
    expect(own.times.map((time) => time.datetime)).to.deep.equal([signedInAt, refreshedAt]);
    // B's access cookie has expired as well; its refresh cookie is refused: its session is gone.
    await expectSignedOut(b, 'ERR_TOKEN_EXPIRED');
  });

  it('a page of another origin cannot end a session: no CORS, no DELETE; through a permissive CORS proxy, 403 csrf_failed; nothing changes', async () => {
    const user = await newUser();
    const a = await device('Device A (spec)');
    await logIn(a, user);
    h.clock.advanceSeconds(60);
    const b = await device('Device B (spec)');
    await logIn(b, user);
    const [aSession, bSession] = await sessionIds(a);
    const evil = await a.context().newPage();

    const attack = async (path: string) => {
      const seen = mark();
      await evil.goto(`${attacker}/delete?to=${encodeURIComponent(demo + path)}`);
      await evil.locator('body[data-outcome]').waitFor({ state: 'attached' });
      const body = evil.locator('body');
      return {
        outcome: await body.getAttribute('data-outcome'),
        csrf: await body.getAttribute('data-csrf'),
        answers: seen.answers().map((r) => [r.method, r.path, r.status, r.origin, r.cookies]),
        audit: seen.audit().map((line) => [line.event, line.reason, line.path]),
      };
    };

    for (const path of [`/auth/sessions/${bSession}`, '/auth/sessions']) {
      // The demo answers no preflight with CORS: the browser never sends the DELETE.
      corsInFront = false;
      const stopped = await attack(path);
      expect(stopped.outcome, path).to.equal('blocked');
      expect(stopped.answers, path).to.deep.equal([['OPTIONS', path, 200, attacker, false]]);

      // Behind a proxy that approves it, the DELETE arrives with A's cookies and even A's CSRF
      // token (a page of the same host reads its cookies, whatever its port): the Origin
      // check refuses it.
      corsInFront = true;
      const refused = await attack(path);
      expect(refused.csrf, path).to.equal(await csrfOf(a));
      expect(refused.outcome, path).to.equal('403');
      expect(refused.answers, path).to.deep.equal([
        ['OPTIONS', path, 204, attacker, false],
        ['DELETE', path, 403, attacker, true],
      ]);
      expect(refused.audit, path).to.deep.equal([
        ['audit.csrf_failed', 'origin_not_allowed', path],
      ]);
    }
    corsInFront = false;

    // From A's own page, without the token or with a wrong one: refused as well.
    for (const [headers, reason] of [
      [{}, 'token_missing'],
      [{ 'X-CSRF-Token': 'wrong' }, 'token_mismatch'],
    ] as const) {
      const seen = mark();
      expect(await fetchFromPage(a, 'DELETE', '/auth/sessions', headers)).to.deep.equal({
        status: 403,
        body: { error: 'csrf_failed', error_description: ERROR_DESCRIPTIONS['csrf_failed'] },
      });
      expect(seen.audit().map((line) => [line.event, line.reason])).to.deep.equal([
        ['audit.csrf_failed', reason],
      ]);
    }

    // Nothing changed: both sessions listed, both devices signed in.
    expect(await sessionIds(a)).to.deep.equal([aSession, bSession]);
    for (const page of [a, b]) {
      await reload(page, 2);
      expect(await page.locator('#user-email').innerText()).to.equal(user.email);
    }
  });
});
