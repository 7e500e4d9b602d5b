import { expect } from 'chai';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { BrowserContext, Cookie, Page, Response } from 'playwright-core';
import { ERROR_DESCRIPTIONS } from '../../src/advanced';
import { USER } from '../helpers/catalogue';
import { demoHarness } from '../helpers/demo-harness';
import type { DemoHarness } from '../helpers/demo-harness';
import { launchChromium, requireChromium } from '../helpers/headless-chromium';
import {
  ACCESS,
  ACCESS_LIFETIME_SECONDS,
  close,
  CSRF,
  fetchFromPage,
  listen,
  REFRESH,
  watchPage,
} from '../helpers/browser-page';
import type { AuditLine } from '../helpers/browser-page';

/** A request as the demo's server answered it. */
interface Answer {
  method: string;
  path: string;
  status: number;
  origin: string | undefined;
  /** Whether the browser sent any cookie with it. */
  cookies: boolean;
}

/**
 * The attacker's pages: `/form?to=<url>` submits an HTML form POST there at once; `/fetch?to=<url>`
 * sends a credentialed `fetch` POST with a CORS-simple body (no preflight) and writes what it
 * could see of the answer in `body[data-outcome]` (`blocked`: CORS hides it).
 */
function attackerPage(request: IncomingMessage, response: ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://attacker');
  const to = url.searchParams.get('to') ?? '';
  const page =
    url.pathname === '/form'
      ? `<form method="post" action="${encodeURI(to)}"><input type="hidden" name="prize" value="1"></form>
<script>document.forms[0].submit();</script>`
      : `<script>
fetch(${JSON.stringify(to)}, { method: 'POST', credentials: 'include',
  headers: { 'Content-Type': 'text/plain' }, body: 'logout' })
  .then((answer) => String(answer.status), () => 'blocked')
  .then((outcome) => { document.body.dataset.outcome = outcome; });
</script>`;
  response.setHeader('Content-Type', 'text/html; charset=utf-8');
  response.end(
    `<!doctype html><html><head><title>You won</title></head><body>${page}</body></html>`,
  );
}

/** Resolves once `page` has seen `count` answers of `status` to `method path`. */
function answersSeen(
  page: Page,
  method: string,
  path: string,
  status: number,
  count = 1,
): Promise<void> {
  return new Promise((done) => {
    let seen = 0;
    const listener = (response: Response): void => {
      const matches =
        response.request().method() === method &&
        new URL(response.url()).pathname === path &&
        response.status() === status;
      if (matches && ++seen === count) {
        page.off('response', listener);
        done();
      }
    };
    page.on('response', listener);
  });
}

// Set by an init script on every page: whether the login form was ever visible since the page
// loaded (or since the spec reset it), however briefly.
const WATCH_FORM = `window.formShown = false;
new MutationObserver(() => {
  const form = document.getElementById('login');
  if (form !== null && !form.hidden) window.formShown = true;
}).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['hidden'] });`;

describe('a real browser: the page at /app/ on the cookie transport, in headless Chromium', function () {
  this.timeout(60_000);
  let h: DemoHarness;
  let demoServer: Server | undefined;
  let attackerServer: Server | undefined;
  let browser: { context: BrowserContext; close: () => Promise<void> } | undefined;
  let demo: string;
  let attackerPort: number;
  const answers: Answer[] = [];
  let problems: string[] = [];
  // The demo's handler, once the demo is made (it needs the port first).
  let handle: RequestListener = (_request, response) => void response.writeHead(503).end();

  before(async function () {
    requireChromium(this);
    // The port first: the demo's default ALLOWED_ORIGINS is its own http://HOST:PORT, what the
    // page's requests carry in Origin.
    const listening = await listen((request, response) => {
      response.on('finish', () =>
        answers.push({
          method: request.method ?? '',
          path: new URL(request.url ?? '/', 'http://demo').pathname,
          status: response.statusCode,
          origin: request.headers.origin,
          cookies: request.headers.cookie !== undefined,
        }),
      );
      handle(request, response);
    });
    demoServer = listening.server;
    demo = `http://127.0.0.1:${listening.port}`;
    h = await demoHarness({ PORT: String(listening.port), LOGIN_MAX_ATTEMPTS: '2' });
    const callback = h.demo.app.callback();
    handle = (request, response) => void callback(request, response);
    ({ server: attackerServer, port: attackerPort } = await listen(attackerPage));
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await close(attackerServer);
    await close(demoServer);
    await h?.close();
  });

  afterEach(async () => {
    for (const page of browser?.context.pages() ?? []) await page.close();
    await browser?.context.clearCookies();
    expect(problems, 'CSP violations, script errors or an Authorization header').to.deep.equal([]);
    problems = [];
  });

  /** The app's page, watched: CSP violations, script errors and Authorization headers are problems. */
  async function openApp(): Promise<Page> {
    const page = await browser!.context.newPage();
    await page.addInitScript(WATCH_FORM);
    watchPage(page, problems);
    page.on('request', (request) => {
      if (request.headers()['authorization'] !== undefined) problems.push(request.url());
    });
    await page.goto(`${demo}/app/`);
    return page;
  }

  const signInShown = (page: Page) => page.getByRole('button', { name: 'Sign in' }).waitFor();
  const account = (page: Page) => page.getByRole('region', { name: 'Signed in' });

  /** Logs in with the form; done once the user and the session list are shown. */
  async function logIn(page: Page): Promise<void> {
    await page.getByLabel('Email', { exact: true }).fill(USER.username);
    await page.getByLabel('Password', { exact: true }).fill(USER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await account(page).waitFor();
    await page.locator('#session-list[aria-busy="false"] > li').first().waitFor();
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

  const cookieNamed = (cookies: Cookie[], name: string) => cookies.find((c) => c.name === name);

  it('logs in with the form, shows the user, stays logged in across a reload; no token is reachable from JavaScript', async () => {
    const page = await openApp();
    await signInShown(page);
    expect(await page.evaluate('window.formShown'), 'the watch of the form').to.equal(true);
    const loggingIn = mark();
    await logIn(page);
    expect(await page.locator('#user-email').innerText()).to.equal(USER.username);
    expect(await page.locator('#user-roles').innerText()).to.equal('user');
    expect(await page.getByRole('status').innerText()).to.equal(`Signed in as ${USER.username}.`);
    expect(loggingIn.answers().map((a) => `${a.method} ${a.path} ${a.status}`)).to.deep.equal([
      'POST /auth/cookie/login 200',
      'GET /users/me 200',
      'GET /auth/sessions 200',
    ]);

    // The script sees the CSRF cookie only; nothing is stored.
    const cookies = await page.context().cookies();
    const visible = await page.evaluate<string>('document.cookie');
    expect(visible.split('; ').map((pair) => pair.split('=')[0])).to.deep.equal([CSRF]);
    for (const name of [ACCESS, REFRESH]) {
      expect(visible).not.to.contain(cookieNamed(cookies, name)!.value);
    }
    expect(await page.evaluate('localStorage.length + sessionStorage.length')).to.equal(0);

    const now = Date.now() / 1000;
    const access = cookieNamed(cookies, ACCESS)!;
    expect(access).to.deep.include({ path: '/', httpOnly: true, secure: true, sameSite: 'Lax' });
    expect(access.expires).to.be.closeTo(now + ACCESS_LIFETIME_SECONDS, 60);
    expect(cookieNamed(cookies, REFRESH)).to.deep.include({
      path: '/auth/cookie/refresh',
      httpOnly: true,
      secure: true,
      sameSite: 'Lax',
    });
    expect(cookieNamed(cookies, CSRF)).to.deep.include({
      path: '/',
      httpOnly: false,
      secure: true,
      sameSite: 'Lax',
    });

    const reloading = mark();
    await page.reload();
    await account(page).waitFor();
    expect(await page.locator('#user-email').innerText()).to.equal(USER.username);
    expect(await page.evaluate('window.formShown')).to.equal(false);
    expect(reloading.answers().map((a) => `${a.method} ${a.path} ${a.status}`)).to.include(
      'GET /users/me 200',
    );
    expect(reloading.answers().map((a) => a.path)).not.to.include('/auth/cookie/refresh');
  });

  it('refreshes silently once the access token has expired: one refresh for calls failing together, the form never shown', async () => {
    const page = await openApp();
    await logIn(page);
    const sentCsrf: (string | undefined)[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/auth/cookie/refresh') {
        sentCsrf.push(request.headers()['x-csrf-token']);
      }
    });
    await page.evaluate('window.formShown = false');

    // Three calls at once, each answered 401: the page refreshes once, then each retries (and
    // lists the sessions: waited for, so that none is left in flight for the next step).
    h.clock.advanceSeconds(ACCESS_LIFETIME_SECONDS + 60);
    const together = mark();
    const retried = answersSeen(page, 'GET', '/auth/sessions', 200, 3);
    await page.evaluate(`for (let i = 0; i < 3; i++) document.getElementById('reload').click()`);
    // Or the form, should the session end (two refreshes with one refresh cookie would end it).
    await Promise.race([retried, signInShown(page)]);
    const calls = together.answers().map((a) => `${a.method} ${a.path} ${a.status}`);
    expect(calls.filter((call) => call === 'GET /users/me 401')).to.have.length(3);
    expect(calls.filter((call) => call.startsWith('POST /auth/cookie/refresh'))).to.deep.equal([
      'POST /auth/cookie/refresh 200',
    ]);
    expect(calls.filter((call) => call === 'GET /users/me 200')).to.have.length(3);
    const csrf = cookieNamed(await page.context().cookies(), CSRF)!.value;
    expect(sentCsrf).to.deep.equal([csrf]);

    // Expired again, and a reload: on load, the same silent refresh.
    h.clock.advanceSeconds(ACCESS_LIFETIME_SECONDS + 60);
    const reloading = mark();
    const shown = answersSeen(page, 'GET', '/auth/sessions', 200);
    await page.reload();
    await Promise.race([shown, signInShown(page)]);
    const api = reloading.answers().filter((a) => !a.path.startsWith('/app/'));
    expect(api.map((a) => `${a.method} ${a.path} ${a.status}`)).to.deep.equal([
      'GET /users/me 401',
      'POST /auth/cookie/refresh 200',
      'GET /users/me 200',
      'GET /auth/sessions 200',
    ]);
    await account(page).waitFor();
    expect(await page.locator('#user-email').innerText()).to.equal(USER.username);
    expect(await page.evaluate('window.formShown')).to.equal(false);
    expect(reloading.audit().map((line) => line.event)).to.include('audit.token_refreshed');
  });

  it('logs out: the form again, the cookies cleared, and /users/me from the page answers 401 (the old cookies too)', async () => {
    const page = await openApp();
    await logIn(page);
    const before = await page.context().cookies();
    const loggingOut = mark();
    await page.getByRole('button', { name: 'Log out' }).click();
    await signInShown(page);
    expect(await account(page).isHidden()).to.equal(true);
    expect(await page.getByRole('status').innerText()).to.equal('You are signed out.');
    expect(loggingOut.answers().map((a) => `${a.method} ${a.path} ${a.status}`)).to.deep.equal([
      'POST /auth/cookie/logout 204',
    ]);
    expect(await page.context().cookies()).to.deep.equal([]);
    expect((await fetchFromPage(page, 'GET', '/users/me')).status).to.equal(401);

    // The cookies as they were before: both tokens stopped working.
    await page.context().addCookies(before);
    expect(await fetchFromPage(page, 'GET', '/users/me')).to.deep.equal({
      status: 401,
      body: { error: 'invalid_token', error_description: ERROR_DESCRIPTIONS['invalid_token'] },
    });
    const csrf = cookieNamed(before, CSRF)!.value;
    const refreshed = await fetchFromPage(page, 'POST', '/auth/cookie/refresh', {
      'X-CSRF-Token': csrf,
    });
    expect(refreshed.status).to.equal(401);
    await page.reload();
    await signInShown(page);
  });

  it('a wrong password and too many attempts: fixed, generic texts in the status region', async () => {
    const page = await openApp();
    const status = page.getByRole('status');
    const attempt = async (username: string, answer: number): Promise<string> => {
      await page.getByLabel('Email', { exact: true }).fill(username);
      await page.getByLabel('Password', { exact: true }).fill('not-the-password');
      const answered = answersSeen(page, 'POST', '/auth/cookie/login', answer);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await answered;
      await status.filter({ hasNotText: 'Signing in' }).waitFor();
      return status.innerText();
    };
    expect(await attempt(USER.username, 401)).to.equal('Wrong email or password.');
    // LOGIN_MAX_ATTEMPTS=2: the second failure is still a 401, the third a 429.
    expect(await attempt('nobody@example.com', 401)).to.equal('Wrong email or password.');
    expect(await attempt('nobody@example.com', 401)).to.equal('Wrong email or password.');
    expect(await attempt('nobody@example.com', 429)).to.equal(
      'Too many failed attempts. Wait a while, then try again.',
    );
    expect(await account(page).isHidden()).to.equal(true);
    // One failure is below the user's limit: the right password still logs in.
    await logIn(page);
  });

  describe('cross-origin requests with the victim’s cookies', () => {
    let victim: Page;
    beforeEach(async () => {
      victim = await openApp();
      await logIn(victim);
    });

    /** The victim's session is intact: the page reloads the user and the sessions; /users/me is 200. */
    async function expectStillLoggedIn(): Promise<void> {
      const reloaded = answersSeen(victim, 'GET', '/auth/sessions', 200);
      await victim.getByRole('button', { name: 'Reload user' }).click();
      await reloaded;
      expect(await victim.locator('#user-email').innerText()).to.equal(USER.username);
      expect((await fetchFromPage(victim, 'GET', '/users/me')).status).to.equal(200);
    }

    for (const path of ['/auth/cookie/logout', '/auth/logout-all']) {
      it(`another origin of the same site: a form POST to ${path} is 403 csrf_failed (origin_not_allowed), nothing changes`, async () => {
        const attacker = `http://127.0.0.1:${attackerPort}`;
        const page = await browser!.context.newPage();
        const attack = mark();
        const answered = page.waitForResponse((r) => r.url() === `${demo}${path}`);
        await page.goto(`${attacker}/form?to=${encodeURIComponent(demo + path)}`);
        expect((await answered).status()).to.equal(403);
        expect(attack.answers().filter((a) => a.path === path)).to.deep.equal([
          // SameSite=Lax cookies go with a same-site request: the origin check refuses it.
          { method: 'POST', path, status: 403, origin: attacker, cookies: true },
        ]);
        expect(attack.audit().map((line) => [line.event, line.reason, line.path])).to.deep.equal([
          ['audit.csrf_failed', 'origin_not_allowed', path],
        ]);
        await expectStillLoggedIn();
      });
    }

    it('another origin of the same site: a credentialed fetch POST (text/plain, no preflight) is 403 csrf_failed, nothing changes', async () => {
      const attacker = `http://127.0.0.1:${attackerPort}`;
      const page = await browser!.context.newPage();
      const attack = mark();
      await page.goto(`${attacker}/fetch?to=${encodeURIComponent(`${demo}/auth/cookie/logout`)}`);
      await page.locator('body[data-outcome]').waitFor({ state: 'attached' });
      expect(await page.locator('body').getAttribute('data-outcome')).to.equal('blocked');
      expect(attack.answers()).to.deep.equal([
        {
          method: 'POST',
          path: '/auth/cookie/logout',
          status: 403,
          origin: attacker,
          cookies: true,
        },
      ]);
      expect(attack.audit().map((line) => [line.event, line.reason, line.path])).to.deep.equal([
        ['audit.csrf_failed', 'origin_not_allowed', '/auth/cookie/logout'],
      ]);
      await expectStillLoggedIn();
    });

    it('another site (localhost): the browser sends no cookie with the form POST or the fetch: 401, nothing changes', async () => {
      const attacker = `http://localhost:${attackerPort}`;
      const to = encodeURIComponent(`${demo}/auth/cookie/logout`);
      const page = await browser!.context.newPage();
      const attack = mark();
      const answered = page.waitForResponse((r) => r.url() === `${demo}/auth/cookie/logout`);
      await page.goto(`${attacker}/form?to=${to}`);
      expect((await answered).status()).to.equal(401);
      await page.goto(`${attacker}/fetch?to=${to}`);
      await page.locator('body[data-outcome]').waitFor({ state: 'attached' });
      const logout = { method: 'POST', path: '/auth/cookie/logout', status: 401, origin: attacker };
      expect(attack.answers()).to.deep.equal([
        { ...logout, cookies: false },
        { ...logout, cookies: false },
      ]);
      expect(attack.audit().map((line) => line.event)).not.to.include('audit.logout');
      await expectStillLoggedIn();
    });

    it('the app’s own origin without the X-CSRF-Token, with a wrong one or another session’s: 403 csrf_failed, nothing changes', async () => {
      const other = await h
        .http()
        .post('/auth/cookie/login')
        .set('Origin', demo)
        .send(USER)
        .expect(200);
      const otherSession = (other.body as { csrf_token: string }).csrf_token;
      const refused = {
        status: 403,
        body: { error: 'csrf_failed', error_description: ERROR_DESCRIPTIONS['csrf_failed'] },
      };
      const attack = mark();
      const tries: [string, Record<string, string>, string][] = [
        ['/auth/cookie/logout', {}, 'token_missing'],
        ['/auth/cookie/logout', { 'X-CSRF-Token': 'wrong' }, 'token_mismatch'],
        ['/auth/cookie/logout', { 'X-CSRF-Token': otherSession }, 'token_mismatch'],
        ['/auth/logout-all', {}, 'token_missing'],
        ['/auth/cookie/refresh', {}, 'token_missing'],
        ['/auth/cookie/refresh', { 'X-CSRF-Token': otherSession }, 'token_mismatch'],
      ];
      for (const [path, headers] of tries) {
        expect(await fetchFromPage(victim, 'POST', path, headers), path).to.deep.equal(refused);
      }
      expect(attack.audit().map((line) => [line.event, line.path, line.reason])).to.deep.equal(
        tries.map(([path, , reason]) => ['audit.csrf_failed', path, reason]),
      );
      await expectStillLoggedIn();
    });

    it('the same fetch from the app’s page, with the X-CSRF-Token: 204, and the session has ended', async () => {
      const csrf = cookieNamed(await victim.context().cookies(), CSRF)!.value;
      const attack = mark();
      const done = await victim.evaluate<number>(
        `fetch('/auth/cookie/logout', { method: 'POST', credentials: 'include',
          headers: { 'Content-Type': 'text/plain', 'X-CSRF-Token': ${JSON.stringify(csrf)} },
          body: 'logout' }).then((answer) => answer.status)`,
      );
      expect(done).to.equal(204);
      expect(attack.answers()).to.deep.equal([
        { method: 'POST', path: '/auth/cookie/logout', status: 204, origin: demo, cookies: true },
      ]);
      expect(attack.audit().map((line) => line.event)).to.deep.equal(['audit.logout']);
      expect((await fetchFromPage(victim, 'GET', '/users/me')).status).to.equal(401);
      await victim.reload();
      await signInShown(victim);
    });
  });
});
