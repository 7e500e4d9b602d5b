import { expect } from 'chai';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserContext, Page } from 'playwright-core';
import { USER } from '../helpers/catalogue';
import { demoHarness } from '../helpers/demo-harness';
import type { DemoHarness } from '../helpers/demo-harness';
import { launchChromium, requireChromium } from '../helpers/headless-chromium';

/** Expands an operation in Swagger UI, presses "Try it out" then "Execute", and reads the answer. */
async function execute(
  page: Page,
  method: string,
  path: string,
): Promise<{ status: string; body: string }> {
  const block = page.locator(`.opblock-${method}`, {
    has: page.locator(`.opblock-summary-path[data-path="${path}"]`),
  });
  await block.locator('.opblock-summary').click();
  await block.locator('button.try-out__btn').click();
  await block.locator('button.execute').click();
  const live = block.locator('.live-responses-table .response');
  await live.first().waitFor();
  return {
    status: (await live.locator('.response-col_status').first().innerText()).trim(),
    body: await live
      .locator('.response-col_description .microlight, .response-col_description pre')
      .first()
      .innerText(),
  };
}

describe('a real browser: Swagger UI at /docs, in headless Chromium', function () {
  this.timeout(60_000);
  let h: DemoHarness;
  let server: Server;
  let browser: { context: BrowserContext; close: () => Promise<void> } | undefined;
  let base: string;

  before(async function () {
    requireChromium(this);
    h = await demoHarness();
    server = h.demo.app.listen(0, '127.0.0.1');
    await new Promise((ready) => server.once('listening', ready));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    if (server) await new Promise((done) => server.close(done));
    await h?.close();
  });

  it('authorizes with the OAuth2 password flow, then GET /users/me → 200 and the admin route → 403', async () => {
    const page = await browser!.context.newPage();
    const requests: string[] = [];
    page.on('request', (request) =>
      requests.push(`${request.method()} ${new URL(request.url()).pathname}`),
    );
    // The page's Content-Security-Policy must not block anything Swagger UI needs.
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await page.goto(`${base}/docs`);
    await page.locator('.btn.authorize').first().click();
    const oauth2 = page.locator('.auth-container', { hasText: 'OAuth2, password' });
    await oauth2.locator('#oauth_username').fill(USER.username);
    await oauth2.locator('#oauth_password').fill(USER.password);
    await oauth2.locator('button[aria-label="Apply given OAuth2 credentials"]').click();
    // Swagger UI shows "Logout" once the token endpoint has answered with a token.
    await oauth2.locator('button', { hasText: 'Logout' }).waitFor();
    await page.locator('.modal-ux .close-modal').click();
    expect(requests).to.include('POST /auth/login');

    const me = await execute(page, 'get', '/users/me');
    expect(me.status).to.equal('200');
    expect(JSON.parse(me.body)).to.deep.include({ email: USER.username, roles: ['user'] });

    const admin = await execute(page, 'get', '/admin/users');
    expect(admin.status).to.equal('403');
    expect(JSON.parse(admin.body)).to.deep.equal({
      error: 'insufficient_scope',
      error_description: 'The token does not grant access to this resource.',
    });
    expect(violations).to.deep.equal([]);
    await page.close();
  });
});
