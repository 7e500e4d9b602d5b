import { expect } from 'chai';
import type { RequestListener, Server } from 'node:http';
import type { BrowserContext, Page } from 'playwright-core';
import { TOTP_PERIOD_SECONDS } from '../../src/mfa/totp-codes';
import { USER } from '../helpers/catalogue';
import { close, listen, untilStatus, watchPage } from '../helpers/browser-page';
import { demoHarness } from '../helpers/demo-harness';
import type { DemoHarness } from '../helpers/demo-harness';
import { launchChromium, requireChromium } from '../helpers/headless-chromium';
import { authenticator } from '../helpers/second-factor-users';

const STEP_MS = TOTP_PERIOD_SECONDS * 1000;

/**
 * Issue 17, item 5: the page's second factor in headless Chromium: enrolment with the QR code
 * drawn on the page, confirmation, the two-step login, and turning it off with a recovery code.
 */
describe('a real browser: the second factor on the page at /app/, in headless Chromium', function () {
  this.timeout(60_000);
  let h: DemoHarness;
  let server: Server | undefined;
  let browser: { context: BrowserContext; close: () => Promise<void> } | undefined;
  let demo: string;
  const problems: string[] = [];
  let handle: RequestListener = (_request, response) => void response.writeHead(503).end();

  before(async function () {
    requireChromium(this);
    const listening = await listen((request, response) => handle(request, response));
    server = listening.server;
    demo = `http://127.0.0.1:${listening.port}`;
    h = await demoHarness({ PORT: String(listening.port) });
    const callback = h.demo.app.callback();
    handle = (request, response) => void callback(request, response);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await close(server);
    await h?.close();
  });

  async function open(url: string): Promise<Page> {
    const page = await browser!.context.newPage();
    watchPage(page, problems);
    await page.goto(url);
    return page;
  }

  it('enrols with the QR code, turns it on, signs in with a code after a wrong one, and turns it off with a recovery code', async () => {
    const page = await open(`${demo}/app/`);
    const status = page.getByRole('status');
    await page.getByLabel('Email', { exact: true }).fill(USER.username);
    await page.getByLabel('Password', { exact: true }).fill(USER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('region', { name: 'Signed in' }).waitFor();

    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await untilStatus(status, 'Scan the code, then enter the code the app shows.');
    const url = (await page.locator('#otpauth-url').textContent()) ?? '';
    expect(url).to.match(/^otpauth:\/\/totp\//);
    // The QR code is drawn: dark modules on the canvas.
    // (A string: the specs compile without the DOM's types.)
    const dark = await page.evaluate(`(() => {
      const canvas = document.getElementById('qr');
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      let count = 0;
      for (let at = 0; at < pixels.data.length; at += 4) if (pixels.data[at] === 0) count += 1;
      return count;
    })()`);
    await page.getByRole('img', { name: 'QR code of the key' }).waitFor();
    expect(dark).to.be.greaterThan(1000);
    const recovery = await page.locator('#recovery-codes li').allTextContents();
    expect(recovery).to.have.length(10);
    const code = authenticator(url);
    await page.getByLabel('Code shown by the app').fill(code(h.clock.now()));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await untilStatus(status, 'The second factor is on.');
    expect(await page.locator('#user-mfa').textContent()).to.equal('on');

    await page.getByRole('button', { name: 'Log out' }).click();
    await untilStatus(status, 'You are signed out.');
    await page.getByLabel('Email', { exact: true }).fill(USER.username);
    await page.getByLabel('Password', { exact: true }).fill(USER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await untilStatus(status, 'Enter the code from your authenticator app.');
    // No cookie until the code: the password alone opened nothing.
    expect(await browser!.context.cookies()).to.deep.equal([]);
    const codeField = page.getByLabel('Code from your authenticator app, or a recovery code');
    await codeField.fill('000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await untilStatus(status, 'Wrong code.');
    h.clock.advance(STEP_MS);
    await codeField.fill(code(h.clock.now()));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('region', { name: 'Signed in' }).waitFor();

    await page.getByLabel('A fresh code, or a recovery code').fill(recovery[0] ?? '');
    await page.getByRole('button', { name: 'Turn off' }).click();
    await untilStatus(status, 'The second factor is off.');
    expect(await page.locator('#user-mfa').textContent()).to.equal('off');
    expect(problems, 'CSP violations or script errors').to.deep.equal([]);
  });
});
