import { expect } from 'chai';
import type { RequestListener, Server } from 'node:http';
import type { BrowserContext, Page } from 'playwright-core';
import { ADMIN, USER } from '../helpers/catalogue';
import { close, listen, untilStatus, watchPage } from '../helpers/browser-page';
import { demoHarness } from '../helpers/demo-harness';
import type { DemoHarness } from '../helpers/demo-harness';
import { launchChromium, requireChromium } from '../helpers/headless-chromium';
import { SmtpMailbox } from '../helpers/smtp-mailbox';

/**
 * Issue 17: the page's account flows in headless Chromium, with the mails read from a real
 * SMTP server: "forgot password" then the mailed reset link, and the mailed verification link.
 */
describe('a real browser: the account flows of the page at /app/, in headless Chromium', function () {
  this.timeout(60_000);
  let h: DemoHarness;
  let mailbox: SmtpMailbox;
  let server: Server | undefined;
  let browser: { context: BrowserContext; close: () => Promise<void> } | undefined;
  let demo: string;
  let problems: string[] = [];
  let handle: RequestListener = (_request, response) => void response.writeHead(503).end();

  before(async function () {
    requireChromium(this);
    mailbox = await SmtpMailbox.start();
    const listening = await listen((request, response) => handle(request, response));
    server = listening.server;
    demo = `http://127.0.0.1:${listening.port}`;
    // APP_URL is the demo's own origin by default: the mailed links lead back to this page.
    h = await demoHarness({ PORT: String(listening.port), SMTP_URL: mailbox.url });
    const callback = h.demo.app.callback();
    handle = (request, response) => void callback(request, response);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await close(server);
    await h?.close();
    await mailbox?.stop();
  });

  afterEach(async () => {
    for (const page of browser?.context.pages() ?? []) await page.close();
    await browser?.context.clearCookies();
    expect(problems, 'CSP violations or script errors').to.deep.equal([]);
    problems = [];
  });

  async function open(url: string): Promise<Page> {
    const page = await browser!.context.newPage();
    watchPage(page, problems);
    await page.goto(url);
    return page;
  }

  const status = (page: Page) => page.getByRole('status');

  async function logIn(page: Page, username: string, password: string): Promise<void> {
    await page.getByLabel('Email', { exact: true }).fill(username);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('region', { name: 'Signed in' }).waitFor();
  }

  it('forgot password: the form mails a link; the link opens the page, which takes the token out of the address and sets the new password', async () => {
    const before = mailbox.to(USER.username).length;
    const page = await open(`${demo}/app/`);
    await page.getByRole('button', { name: 'Forgot password?' }).click();
    await page.getByLabel('Send a reset link to').fill(USER.username);
    await page.getByRole('button', { name: 'Mail me a reset link' }).click();
    await untilStatus(status(page), 'If that email has an account, a reset link is on its way.');

    const mail = await mailbox.nth(USER.username, before + 1);
    const link = (/https?:\/\/\S+\/app\/reset-password\?token=\S+/.exec(mail.text) ?? [''])[0];
    expect(link.startsWith(`${demo}/app/reset-password?token=`)).to.equal(true);
    const reset = await open(link);
    await untilStatus(status(reset), 'Choose a new password.');
    expect(new URL(reset.url()).search, 'the token left the address bar').to.equal('');
    await reset.getByLabel('New password').fill('a-password-from-the-page');
    await reset.getByRole('button', { name: 'Set the password' }).click();
    await untilStatus(status(reset), 'Your password is set: sign in with it.');
    await logIn(reset, USER.username, 'a-password-from-the-page');

    // The link again: spent.
    const again = await open(link);
    await again.getByLabel('New password').fill('another-password-here');
    await again.getByRole('button', { name: 'Set the password' }).click();
    await untilStatus(
      status(again),
      'This link is invalid, expired or already used, or the password is too short.',
    );
  });

  it('verify email: the signed-in page mails a link; following it verifies the email, shown on the page', async () => {
    const before = mailbox.to(ADMIN.username).length;
    const page = await open(`${demo}/app/`);
    await logIn(page, ADMIN.username, ADMIN.password);
    const verified = page.locator('#user-verified');
    expect(await verified.textContent()).to.equal('no');
    await page.getByRole('button', { name: 'Mail me a verification link' }).click();
    await untilStatus(status(page), 'A verification link is on its way to your email.');

    const mail = await mailbox.nth(ADMIN.username, before + 1);
    const link = (/https?:\/\/\S+\/app\/verify-email\?token=\S+/.exec(mail.text) ?? [''])[0];
    await page.goto(link);
    // The same browser, still signed in: the page verifies, then shows the account.
    await page.getByRole('region', { name: 'Signed in' }).waitFor();
    await page.waitForFunction("document.getElementById('user-verified')?.textContent === 'yes'");
    expect(new URL(page.url()).search).to.equal('');
    const button = page.getByRole('button', { name: 'Mail me a verification link' });
    expect(await button.isHidden()).to.equal(true);
  });
});
