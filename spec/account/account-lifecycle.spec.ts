import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { AccountLifecycle } from '../../src/account/account-lifecycle';
import { AccountMailError } from '../../src/errors/security-errors';
import type { CookieApp } from '../helpers/cookie-app';
import { cookieApp } from '../helpers/cookie-app';
import { MailingUsers } from '../helpers/mailing-users';
import { TEST_SECRET_KEY } from '../helpers/test-environment';

interface Pair {
  access_token: string;
  refresh_token: string;
}

const INVALID_LINK = {
  error: 'invalid_token',
  error_description: 'The token is invalid, expired or revoked.',
};

/**
 * Issue 17, items 1 to 3 and 6: email verification and password reset through the auth
 * routes of a third party's app (`authRoutes({ emailVerification, passwordReset })`), users
 * in memory, mails kept by the adapter's delivery.
 */
describe('the account lifecycle: email verification and password reset', () => {
  let app: CookieApp;
  let users: MailingUsers;

  async function start(env: Record<string, string> = {}): Promise<void> {
    users = new MailingUsers();
    app = await cookieApp({
      users,
      env,
      routes: { cookies: true, registration: true, emailVerification: true, passwordReset: true },
    });
  }
  beforeEach(() => start());

  const idle = () => app.container.get(AccountLifecycle).idle();

  async function login(username = 'user@example.com', password = 'user-password') {
    const answer = await app.http().post('/auth/login').send({ username, password }).expect(200);
    return answer.body as Pair;
  }

  async function resetMail(email = 'user@example.com'): Promise<string> {
    await app.http().post('/auth/forgot-password').send({ email }).expect(202);
    await idle();
    return users.lastToken('reset_password', email);
  }

  describe('email verification', () => {
    /** The signed-in user asks for a verification mail (202), delivered. */
    async function requestVerification(): Promise<void> {
      const { access_token } = await login();
      await app
        .http()
        .post('/auth/verify-email/request')
        .set('Authorization', `Bearer ${access_token}`)
        .expect(202);
      await idle();
    }

    async function verificationMail(): Promise<string> {
      await requestVerification();
      return users.lastToken('verify_email', 'user@example.com');
    }

    it('a link mailed to the signed-in user verifies the email, once; the answer carries no token', async () => {
      const token = await verificationMail();
      const mail = users.outbox[0];
      expect(mail?.expiresAt.getTime()).to.equal(
        Math.floor(app.clock.now() / 1000) * 1000 + 24 * 3600 * 1000,
      );
      const answer = await app.http().post('/auth/verify-email').send({ token }).expect(204);
      expect(answer.text).to.equal('');
      expect(users.users.get('user@example.com')?.email_verified).to.equal(true);
      expect(app.events.map((e) => e.type)).to.include.members([
        'account_mail_sent',
        'email_verified',
      ]);
      const again = await app.http().post('/auth/verify-email').send({ token }).expect(400);
      expect(again.body).to.deep.equal(INVALID_LINK);
    });

    it('asking again once verified sends nothing, and still answers 202', async () => {
      await app
        .http()
        .post('/auth/verify-email')
        .send({ token: await verificationMail() });
      await requestVerification();
      expect(users.outbox).to.have.length(1);
    });

    it('a link for an email the user no longer has verifies nothing', async () => {
      const token = await verificationMail();
      const user = users.users.get('user@example.com');
      if (user === undefined) throw new Error('no user');
      user.email = 'new@example.com';
      await app.http().post('/auth/verify-email').send({ token }).expect(400);
      expect(user.email_verified).to.not.equal(true);
    });

    it('an expired link verifies nothing (a day by default; EMAIL_VERIFICATION_EXPIRE_MINUTES)', async () => {
      const token = await verificationMail();
      app.clock.advance(24 * 3600 * 1000);
      await app.http().post('/auth/verify-email').send({ token }).expect(400);
    });

    it('two uses of one link at once: exactly one verifies (many trials)', async () => {
      await start({ ACCOUNT_MAIL_MAX_PER_ACCOUNT: '1000' });
      for (let trial = 0; trial < 20; trial += 1) {
        const user = users.users.get('user@example.com');
        if (user === undefined) throw new Error('no user');
        user.email_verified = false;
        const token = await verificationMail();
        const answers = await Promise.all(
          Array.from({ length: 5 }, () => app.http().post('/auth/verify-email').send({ token })),
        );
        expect(answers.map((a) => a.status).sort()).to.deep.equal([204, 400, 400, 400, 400]);
        expect(users.outbox).to.have.length(trial + 1);
      }
    });

    it('requesting needs a signed-in user', async () => {
      await app.http().post('/auth/verify-email/request').expect(401);
      expect(users.outbox).to.have.length(0);
    });
  });

  describe('password reset', () => {
    it('a reset link sets a new password, ends every older session and token, and works once', async () => {
      const before = await login();
      const token = await resetMail();
      await app
        .http()
        .post('/auth/reset-password')
        .send({ token, new_password: 'a-brand-new-password' })
        .expect(204);
      await app
        .http()
        .get('/things/mine')
        .set('Authorization', `Bearer ${before.access_token}`)
        .expect(401);
      await app
        .http()
        .post('/auth/refresh')
        .send({ refresh_token: before.refresh_token })
        .expect(401);
      await app
        .http()
        .post('/auth/login')
        .send({ username: 'user@example.com', password: 'user-password' })
        .expect(401);
      await login('user@example.com', 'a-brand-new-password');
      const again = await app
        .http()
        .post('/auth/reset-password')
        .send({ token, new_password: 'yet-another-password' })
        .expect(400);
      expect(again.body).to.deep.equal(INVALID_LINK);
      await login('user@example.com', 'a-brand-new-password');
      expect(app.events.map((e) => e.type)).to.include('password_reset');
    });

    it('a link sent before the password changed resets nothing (superseded)', async () => {
      const token = await resetMail();
      const { access_token } = await login();
      await app
        .http()
        .put('/users/me/password')
        .set('Authorization', `Bearer ${access_token}`)
        .send({ current_password: 'user-password', new_password: 'changed-password' })
        .expect(204);
      await app
        .http()
        .post('/auth/reset-password')
        .send({ token, new_password: 'attacker-password' })
        .expect(400);
      await login('user@example.com', 'changed-password');
    });

    it('an older link dies with the reset a newer one made', async () => {
      const older = await resetMail();
      const newer = await resetMail();
      await app
        .http()
        .post('/auth/reset-password')
        .send({ token: newer, new_password: 'a-brand-new-password' })
        .expect(204);
      await app
        .http()
        .post('/auth/reset-password')
        .send({ token: older, new_password: 'attacker-password' })
        .expect(400);
    });

    it('expires after PASSWORD_RESET_EXPIRE_MINUTES (30 by default)', async () => {
      const token = await resetMail();
      app.clock.advance(30 * 60 * 1000);
      await app
        .http()
        .post('/auth/reset-password')
        .send({ token, new_password: 'a-brand-new-password' })
        .expect(400);
      await login();
    });

    it('a new password the policy refuses is a 400 that spends nothing: the link still works', async () => {
      const token = await resetMail();
      await app
        .http()
        .post('/auth/reset-password')
        .send({ token, new_password: 'short' })
        .expect(400, { error: 'invalid_request', error_description: 'The request is invalid.' });
      await login();
      await app
        .http()
        .post('/auth/reset-password')
        .send({ token, new_password: 'a-brand-new-password' })
        .expect(204);
    });

    it('of concurrent resets with one link exactly one succeeds, and its password is the one that works (many trials)', async () => {
      await start({ ACCOUNT_MAIL_MAX_PER_ACCOUNT: '1000' });
      for (let trial = 0; trial < 10; trial += 1) {
        const token = await resetMail();
        const passwords = Array.from({ length: 5 }, (_, i) => `trial-${trial}-password-${i}`);
        const answers = await Promise.all(
          passwords.map((new_password) =>
            app.http().post('/auth/reset-password').send({ token, new_password }),
          ),
        );
        const won = answers.flatMap((a, i) => (a.status === 204 ? [passwords[i] ?? ''] : []));
        expect(answers.map((a) => a.status).sort()).to.deep.equal([204, 400, 400, 400, 400]);
        await login('user@example.com', won[0]);
      }
    });
  });

  describe('tokens of one purpose are nothing else', () => {
    it('a reset token does not verify an email, nor the reverse; neither is an access or a refresh token', async () => {
      const reset = await resetMail();
      const { access_token, refresh_token } = await login();
      await app
        .http()
        .post('/auth/verify-email/request')
        .set('Authorization', `Bearer ${access_token}`)
        .expect(202);
      await idle();
      const verify = users.lastToken('verify_email', 'user@example.com');
      await app.http().post('/auth/verify-email').send({ token: reset }).expect(400);
      await app
        .http()
        .post('/auth/reset-password')
        .send({ token: verify, new_password: 'attacker-password' })
        .expect(400);
      for (const token of [access_token, refresh_token]) {
        await app.http().post('/auth/verify-email').send({ token }).expect(400);
        await app
          .http()
          .post('/auth/reset-password')
          .send({ token, new_password: 'attacker-password' })
          .expect(400);
      }
      for (const token of [reset, verify]) {
        await app.http().get('/things/mine').set('Authorization', `Bearer ${token}`).expect(401);
        await app.http().post('/auth/refresh').send({ refresh_token: token }).expect(401);
      }
      await login();
    });

    it('a token signed with the signing key itself, or for another user, is refused', async () => {
      const claims = (sub: string) => ({
        sub,
        type: 'reset_password',
        jti: 'x',
        iat: Math.floor(app.clock.now() / 1000),
        exp: Math.floor(app.clock.now() / 1000) + 600,
        bnd: 'A'.repeat(22),
      });
      const withSigningKey = jwt.sign(claims('1'), TEST_SECRET_KEY, { algorithm: 'HS256' });
      const reset = await resetMail('other@example.com');
      const [header, , signature] = reset.split('.');
      const otherUser = `${header}.${Buffer.from(JSON.stringify(claims('1'))).toString('base64url')}.${signature}`;
      for (const token of [withSigningKey, otherUser, 'not-a-token', 'a'.repeat(9000)]) {
        await app
          .http()
          .post('/auth/reset-password')
          .send({ token, new_password: 'attacker-password' })
          .expect(400);
      }
      await login();
    });
  });

  describe('"forgot password" tells nothing', () => {
    it('answers an unknown email exactly as a known one, and mails only the account', async () => {
      const known = await app
        .http()
        .post('/auth/forgot-password')
        .send({ email: 'user@example.com' });
      const unknown = await app
        .http()
        .post('/auth/forgot-password')
        .send({ email: 'nobody@example.com' });
      for (const answer of [known, unknown]) {
        expect(answer.status).to.equal(202);
        expect(answer.body).to.deep.equal({ status: 'accepted' });
      }
      const headers = (a: typeof known) =>
        Object.keys(a.headers)
          .filter((h) => h !== 'date')
          .sort()
          .map((h) => `${h}: ${String(a.headers[h])}`);
      expect(headers(unknown)).to.deep.equal(headers(known));
      await idle();
      expect(users.outbox.map((m) => m.to)).to.deep.equal(['user@example.com']);
    });

    it('answers before the lookup and the delivery: a mail server that hangs holds up no answer', async () => {
      let release: () => void = () => undefined;
      users.deliver = () => new Promise((done) => (release = done));
      await app
        .http()
        .post('/auth/forgot-password')
        .send({ email: 'user@example.com' })
        .expect(202);
      expect(users.outbox).to.have.length(0);
      release();
      await idle();
      expect(users.outbox).to.have.length(1);
    });

    it('past ACCOUNT_MAIL_MAX_PER_ACCOUNT mails an hour to one email no more mail goes out, and the answer stays 202', async () => {
      for (let i = 0; i < 5; i += 1) {
        await app
          .http()
          .post('/auth/forgot-password')
          .send({ email: 'user@example.com' })
          .expect(202);
      }
      await idle();
      expect(users.outbox).to.have.length(3);
    });

    it('past ACCOUNT_MAIL_MAX_PER_ADDRESS requests an hour the address gets 429, for known and unknown emails alike', async () => {
      await start({ ACCOUNT_MAIL_MAX_PER_ADDRESS: '4' });
      const emails = [
        'user@example.com',
        'nobody@example.com',
        'other@example.com',
        'x@example.com',
      ];
      for (const email of emails) {
        await app.http().post('/auth/forgot-password').send({ email }).expect(202);
      }
      for (const email of ['user@example.com', 'nobody@example.com']) {
        const answer = await app.http().post('/auth/forgot-password').send({ email }).expect(429);
        expect(answer.headers['retry-after']).to.match(/^\d+$/);
      }
    });

    it('a malformed email is a 400, known or not', async () => {
      for (const email of ['not-an-email', 42, '']) {
        await app.http().post('/auth/forgot-password').send({ email }).expect(400);
      }
    });
  });

  describe('delivery faults are reported, never with the token', () => {
    it('a delivery that throws quoting the token is reported as account_mail_failed, the token taken out', async () => {
      users.deliver = (mail) => Promise.reject(new Error(`SMTP refused a mail with ${mail.token}`));
      await app
        .http()
        .post('/auth/forgot-password')
        .send({ email: 'user@example.com' })
        .expect(202);
      await idle();
      const reported = app.errors.find((e) => e instanceof AccountMailError) as AccountMailError;
      expect(reported.reason).to.equal('delivery_failed');
      expect(reported.message).to.include('SMTP refused a mail with [redacted]');
      expect(`${reported.message}${reported.stack}`).to.not.match(/eyJ/);
    });

    it('past ACCOUNT_MAIL_MAX_QUEUED waiting mails the next one is dropped and reported, not queued', async () => {
      await start({ ACCOUNT_MAIL_MAX_QUEUED: '1' });
      let release: () => void = () => undefined;
      users.deliver = () => new Promise((done) => (release = done));
      await app
        .http()
        .post('/auth/forgot-password')
        .send({ email: 'user@example.com' })
        .expect(202);
      await app
        .http()
        .post('/auth/forgot-password')
        .send({ email: 'other@example.com' })
        .expect(202);
      const dropped = app.errors.find((e) => e instanceof AccountMailError) as AccountMailError;
      expect(dropped.reason).to.equal('queue_full');
      release();
      await idle();
      expect(users.outbox.map((m) => m.to)).to.deep.equal(['user@example.com']);
    });
  });
});
