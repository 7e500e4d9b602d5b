import { expect } from 'chai';
import { AccountLifecycle } from '../../src';
import { bearer, demoHarness, twoInstances } from '../helpers/demo-harness';
import type { DemoHarness, TwoInstances } from '../helpers/demo-harness';
import { USER } from '../helpers/catalogue';
import { postgresAnswers, redisAnswers, requireServer } from '../helpers/real-servers';
import { SmtpMailbox } from '../helpers/smtp-mailbox';

/**
 * Issue 17: the demo's email verification and password reset, end to end, with the mails
 * read from a real SMTP server (`smtp-server` on a loopback port of the spec's own).
 */
describe('demo: the account lifecycle through a real SMTP server', function () {
  this.timeout(30_000);
  let mailbox: SmtpMailbox;
  before(async () => {
    mailbox = await SmtpMailbox.start();
  });
  after(async () => mailbox?.stop());

  /** The `token` of the `count`-th mail to `to`, from the link to `path`. */
  async function linkToken(to: string, count: number, path: string): Promise<string> {
    return SmtpMailbox.linkToken(await mailbox.nth(to, count), path);
  }

  describe('on the embedded default (memory)', () => {
    let h: DemoHarness;
    beforeEach(async () => {
      h = await demoHarness({ SMTP_URL: mailbox.url, APP_URL: 'https://app.example.com' });
    });
    afterEach(async () => h.close());

    it('forgot password: a mail with a link to APP_URL/app/reset-password?token=…; the reset ends the old sessions', async () => {
      const before = mailbox.to(USER.username).length;
      const old = await h.login(USER.username, USER.password);
      await h
        .http()
        .post('/auth/forgot-password')
        .send({ email: USER.username })
        .expect(202, { status: 'accepted' });
      const mail = await mailbox.nth(USER.username, before + 1);
      expect(mail.subject).to.equal('Reset your password');
      expect(mail.text).to.match(/https:\/\/app\.example\.com\/app\/reset-password\?token=/);
      const token = SmtpMailbox.linkToken(mail, '/app/reset-password');
      await h
        .http()
        .post('/auth/reset-password')
        .send({ token, new_password: 'a-brand-new-password' })
        .expect(204);
      await h.http().get('/users/me').set(bearer(old.access_token)).expect(401);
      await h.http().post('/auth/login').send(USER).expect(401);
      await h.login(USER.username, 'a-brand-new-password');
      await h
        .http()
        .post('/auth/reset-password')
        .send({ token, new_password: 'another-password' })
        .expect(400);
    });

    it('verify email: the signed-in user asks, follows the mailed link, and the user shows email_verified', async () => {
      const before = mailbox.to(USER.username).length;
      const { access_token } = await h.login(USER.username, USER.password);
      const me = await h.http().get('/users/me').set(bearer(access_token)).expect(200);
      expect(me.body).to.include({ email_verified: false });
      await h
        .http()
        .post('/auth/verify-email/request')
        .set(bearer(access_token))
        .expect(202, { status: 'accepted' });
      const token = await linkToken(USER.username, before + 1, '/app/verify-email');
      await h.http().post('/auth/verify-email').send({ token }).expect(204);
      const after = await h.http().get('/users/me').set(bearer(access_token)).expect(200);
      expect(after.body).to.include({ email_verified: true });
    });

    it('the links lead to the page: HTML, never cached, no Referer to carry the token away', async () => {
      for (const path of ['/app/verify-email', '/app/reset-password']) {
        await h
          .http()
          .get(`${path}?token=abc`)
          .expect(200)
          .expect('Content-Type', /text\/html/)
          .expect('Cache-Control', 'no-store')
          .expect('Referrer-Policy', 'no-referrer')
          .expect('Content-Security-Policy', /script-src 'self'/);
      }
    });

    it('an unknown email gets the same answer and no mail', async () => {
      const before = mailbox.to(USER.username).length;
      await h
        .http()
        .post('/auth/forgot-password')
        .send({ email: 'nobody@example.com' })
        .expect(202, { status: 'accepted' });
      await h.http().post('/auth/forgot-password').send({ email: USER.username }).expect(202);
      await mailbox.nth(USER.username, before + 1);
      await h.demo.container.get(AccountLifecycle).idle();
      expect(mailbox.to('nobody@example.com')).to.have.length(0);
    });
  });

  describe('closing', () => {
    it('delivers the mails still queued first: a reset asked for just before the close arrives', async () => {
      const h = await demoHarness({ SMTP_URL: mailbox.url });
      const before = mailbox.to(USER.username).length;
      await h.http().post('/auth/forgot-password').send({ email: USER.username }).expect(202);
      await h.close();
      expect(mailbox.to(USER.username)).to.have.length(before + 1);
    });
  });

  describe('without SMTP_URL', () => {
    it('sends nothing and logs that a mail was not sent, without its token', async () => {
      const h = await demoHarness();
      await h.http().post('/auth/forgot-password').send({ email: USER.username }).expect(202);
      for (let i = 0; i < 50 && !h.logs.some((l) => l.includes('mail_not_sent')); i += 1) {
        await new Promise((next) => setImmediate(next));
      }
      const line = h.logs.find((l) => l.includes('mail_not_sent')) ?? '';
      expect(JSON.parse(line)).to.include({ event: 'mail_not_sent', kind: 'reset_password' });
      await h.close(); // no log line holds a token (expectNoSecretsInLogs)
    });
  });

  describe('two instances on PostgreSQL and Redis', () => {
    let pair: TwoInstances;
    before(async function () {
      await requireServer(this, 'Redis', redisAnswers);
      await requireServer(this, 'PostgreSQL', postgresAnswers);
    });
    beforeEach(async () => {
      pair = await twoInstances({ SMTP_URL: mailbox.url, ACCOUNT_MAIL_MAX_PER_ACCOUNT: '100' });
    });
    afterEach(async () => pair.close());

    it('a link mailed by one instance works on the other, once: of concurrent resets on both exactly one wins (many trials)', async () => {
      const { a, b } = pair;
      for (let trial = 0; trial < 5; trial += 1) {
        const before = mailbox.to(USER.username).length;
        await a.http().post('/auth/forgot-password').send({ email: USER.username }).expect(202);
        const token = await linkToken(USER.username, before + 1, '/app/reset-password');
        const passwords = [0, 1, 2, 3].map((i) => `trial-${trial}-password-${i}`);
        const answers = await Promise.all(
          passwords.map((new_password, i) =>
            (i % 2 === 0 ? a : b).http().post('/auth/reset-password').send({ token, new_password }),
          ),
        );
        expect(answers.map((r) => r.status).sort()).to.deep.equal([204, 400, 400, 400]);
        const won = passwords[answers.findIndex((r) => r.status === 204)] ?? '';
        await b.login(USER.username, won);
        await a.login(USER.username, won);
      }
    });

    it('a verification link mailed by one instance verifies on the other, and the column is in PostgreSQL', async () => {
      const { a, b } = pair;
      const before = mailbox.to(USER.username).length;
      const { access_token } = await a.login(USER.username, USER.password);
      await a.http().post('/auth/verify-email/request').set(bearer(access_token)).expect(202);
      const token = await linkToken(USER.username, before + 1, '/app/verify-email');
      await b.http().post('/auth/verify-email').send({ token }).expect(204);
      await a.http().post('/auth/verify-email').send({ token }).expect(400);
      const me = await a.http().get('/users/me').set(bearer(access_token)).expect(200);
      expect(me.body).to.include({ email_verified: true });
    });
  });
});
