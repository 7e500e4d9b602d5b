import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { AccountLifecycle } from '../../src/account/account-lifecycle';
import { AccountMailError, StoreUnavailableError } from '../../src/errors/security-errors';
import { MemoryRevocationStore } from '../../src/revocation/memory-revocation-store';
import { FrozenClock } from '../helpers/frozen-clock';
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

/** Issue 17, from the attack review: what a stranger, or a store failing, must not achieve. */
describe('the account lifecycle against a stranger and a failing store', () => {
  let app: CookieApp;
  let users: MailingUsers;

  async function start(
    env: Record<string, string> = {},
    revocationStore?: MemoryRevocationStore,
  ): Promise<void> {
    users = new MailingUsers();
    app = await cookieApp({
      users,
      env,
      routes: { emailVerification: true, passwordReset: true },
      transports: ['bearer'],
      ...(revocationStore === undefined ? {} : { revocationStore }),
    });
    // Client addresses from X-Forwarded-For, as behind a proxy.
    app.app.proxy = true;
  }
  const idle = () => app.container.get(AccountLifecycle).idle();
  const from = (address: string) => ({ 'X-Forwarded-For': address });

  async function forgot(email: string, address: string): Promise<void> {
    await app.http().post('/auth/forgot-password').set(from(address)).send({ email }).expect(202);
    await idle();
  }

  it('a used verification link stays used when the app clears the flag and the email comes back', async () => {
    await start();
    const { access_token } = (
      await app
        .http()
        .post('/auth/login')
        .send({ username: 'user@example.com', password: 'user-password' })
    ).body as Pair;
    await app
      .http()
      .post('/auth/verify-email/request')
      .set('Authorization', `Bearer ${access_token}`);
    await idle();
    const token = users.lastToken('verify_email', 'user@example.com');
    await app.http().post('/auth/verify-email').send({ token }).expect(204);
    const user = users.users.get('user@example.com');
    if (user === undefined) throw new Error('no user');
    // The email changed (the app clears the flag), then changed back.
    user.email = 'moved@example.com';
    user.email_verified = false;
    user.email = 'user@example.com';
    await app.http().post('/auth/verify-email').send({ token }).expect(400);
    expect(user.email_verified).to.equal(false);
  });

  it('a reset link mailed before the email changed resets nothing (a mailbox the user moved away from)', async () => {
    await start();
    await forgot('user@example.com', '203.0.113.1');
    const token = users.lastToken('reset_password', 'user@example.com');
    const user = users.users.get('user@example.com');
    if (user === undefined) throw new Error('no user');
    user.email = 'new-address@example.com';
    await app
      .http()
      .post('/auth/reset-password')
      .send({ token, new_password: 'attacker-password' })
      .expect(400);
  });

  it("a stranger's requests for someone's email, from his address, do not use up the owner's mails from hers", async () => {
    await start();
    for (let i = 0; i < 6; i += 1) await forgot('user@example.com', '198.51.100.7');
    expect(users.outbox).to.have.length(3);
    await forgot('user@example.com', '203.0.113.9');
    expect(users.outbox).to.have.length(4);
  });

  it('one address with a slow mail server holds at most a tenth of the waiting mails; the others still go out', async () => {
    await start({ ACCOUNT_MAIL_MAX_QUEUED: '10' });
    let release: () => void = () => undefined;
    const held = new Promise<void>((done) => (release = done));
    users.deliver = (mail) => (mail.to === 'user@example.com' ? held : Promise.resolve());
    await app
      .http()
      .post('/auth/forgot-password')
      .set(from('198.51.100.7'))
      .send({ email: 'user@example.com' });
    await app
      .http()
      .post('/auth/forgot-password')
      .set(from('198.51.100.7'))
      .send({ email: 'user@example.com' });
    await app
      .http()
      .post('/auth/forgot-password')
      .set(from('203.0.113.9'))
      .send({ email: 'other@example.com' });
    expect(app.errors.filter((e) => e instanceof AccountMailError)).to.have.length(1);
    release();
    await idle();
    expect(users.outbox.map((m) => m.to).sort()).to.deep.equal([
      'other@example.com',
      'user@example.com',
    ]);
  });

  it('a delivery error quoting the recipient is reported without the address', async () => {
    await start();
    users.deliver = (mail) =>
      Promise.reject(new Error(`550 <${mail.to}>: Recipient address rejected`));
    await forgot('user@example.com', '203.0.113.1');
    const reported = app.errors.find((e) => e instanceof AccountMailError) as AccountMailError;
    expect(`${reported.message}${reported.stack}`).to.not.include('user@example.com');
    expect(reported.message).to.include('550 <[redacted]>');
  });

  it('a store failing after the new password is stored: the reset is done (204), the link dead, no older session left', async () => {
    let cutoffs = 0;
    const failing = new (class extends MemoryRevocationStore {
      override revokeUserTokens(subject: string, cutoffMs: number, expiresAtMs: number) {
        cutoffs += 1;
        if (cutoffs === 2) return Promise.reject(new StoreUnavailableError());
        return super.revokeUserTokens(subject, cutoffMs, expiresAtMs);
      }
    })(new FrozenClock(Date.now()));
    await start({}, failing);
    const before = (
      await app
        .http()
        .post('/auth/login')
        .send({ username: 'user@example.com', password: 'user-password' })
    ).body as Pair;
    await forgot('user@example.com', '203.0.113.1');
    const token = users.lastToken('reset_password', 'user@example.com');
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
      .post('/auth/login')
      .send({ username: 'user@example.com', password: 'a-brand-new-password' })
      .expect(200);
  });

  it('a reset lifts, for the address it came from, the account-wide lock strangers keep up', async () => {
    await start({ LOGIN_MAX_ATTEMPTS: '2', LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: '4' });
    const attempt = (address: string, password: string) =>
      app
        .http()
        .post('/auth/login')
        .set(from(address))
        .send({ username: 'user@example.com', password });
    for (const address of ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4']) {
      await attempt(address, 'a-wrong-guess');
    }
    expect((await attempt('203.0.113.50', 'user-password')).status, 'locked').to.equal(429);
    await forgot('user@example.com', '203.0.113.50');
    const token = users.lastToken('reset_password', 'user@example.com');
    await app
      .http()
      .post('/auth/reset-password')
      .set(from('203.0.113.50'))
      .send({ token, new_password: 'a-brand-new-password' })
      .expect(204);
    expect((await attempt('203.0.113.50', 'a-brand-new-password')).status).to.equal(200);
    expect((await attempt('198.51.100.9', 'a-brand-new-password')).status, 'elsewhere').to.equal(
      429,
    );
  });
});
