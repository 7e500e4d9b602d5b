import { expect } from 'chai';
import Koa from 'koa';
import { Container } from 'typedi';
import { AccountLifecycle } from '../../src/account/account-lifecycle';
import { BaseAppSettings } from '../../src/config/base-app-settings';
import {
  ConfigurationError,
  InvalidCredentialsError,
  SecondFactorRequiredError,
} from '../../src/errors/security-errors';
import { configureApp } from '../../src/koa/configure-app';
import { isSecondFactorOn } from '../../src/mfa/second-factor-record';
import { TOTP_PERIOD_SECONDS } from '../../src/mfa/totp-codes';
import { authRoutes } from '../../src/routes/auth-routes';
import { MemoryRevocationStore } from '../../src/revocation/memory-revocation-store';
import type { CookieApp } from '../helpers/cookie-app';
import { ACCESS_COOKIE, APP_ORIGIN, cookieApp, setCookies } from '../helpers/cookie-app';
import { FrozenClock } from '../helpers/frozen-clock';
import { MemoryUsers } from '../helpers/memory-users';
import { SecondFactorUsers, authenticator } from '../helpers/second-factor-users';
import { testEnvironment } from '../helpers/test-environment';

interface Pair {
  access_token: string;
  refresh_token: string;
}

const STEP_MS = TOTP_PERIOD_SECONDS * 1000;
const INVALID_CREDENTIALS = {
  error: 'invalid_credentials',
  error_description: 'Invalid username or password.',
};
const INVALID_TOKEN = {
  error: 'invalid_token',
  error_description: 'The token is invalid, expired or revoked.',
};

/**
 * Issue 17, items 4 and 6: the TOTP second factor through the auth routes of a third party's
 * app (`authRoutes({ secondFactor: true })`), users in memory, the clock frozen.
 */
describe('the TOTP second factor: enrolment, two-step login, recovery codes, disabling', () => {
  let app: CookieApp;
  let users: SecondFactorUsers;

  async function start(env: Record<string, string> = {}, clock?: FrozenClock): Promise<void> {
    users = new SecondFactorUsers();
    app = await cookieApp({
      users,
      env,
      clock,
      routes: { cookies: true, passwordReset: true, secondFactor: true },
    });
    // Half way into a step: a code a step off is within the window either way.
    app.clock.advance(STEP_MS - (app.clock.now() % STEP_MS) + STEP_MS / 2);
  }
  beforeEach(() => start());

  async function login(username = 'user@example.com', password = 'user-password') {
    return (await app.http().post('/auth/login').send({ username, password }).expect(200))
      .body as Record<string, unknown>;
  }

  /** Enrols the user (the answer's URI and codes) and confirms with the current code. */
  async function enable(username = 'user@example.com', password = 'user-password') {
    const { access_token } = (await login(username, password)) as unknown as Pair;
    const enrolment = await app
      .http()
      .post('/auth/2fa/enroll')
      .set('Authorization', `Bearer ${access_token}`)
      .expect(200);
    const body = enrolment.body as { otpauth_url: string; recovery_codes: string[] };
    const code = authenticator(body.otpauth_url);
    await app
      .http()
      .post('/auth/2fa/confirm')
      .set('Authorization', `Bearer ${access_token}`)
      .send({ code: code(app.clock.now()) })
      .expect(204);
    // The next code: the one just used is spent.
    app.clock.advance(STEP_MS);
    return { ...body, code, access_token, enrolment };
  }

  async function challenge(username = 'user@example.com', password = 'user-password') {
    const body = await login(username, password);
    expect(body).to.have.keys('mfa_required', 'challenge');
    expect(body['mfa_required']).to.equal(true);
    return body['challenge'] as string;
  }

  const verify = (challengeToken: string, code: string) =>
    app.http().post('/auth/2fa/verify').send({ challenge: challengeToken, code });

  it('enrolment shows an otpauth:// URI and ten recovery codes once (no-store), and stores neither in clear', async () => {
    const { otpauth_url, recovery_codes, enrolment } = await enable();
    expect(enrolment.headers['cache-control']).to.equal('no-store');
    expect(otpauth_url).to.match(/^otpauth:\/\/totp\/fastcore:user%40example\.com\?/);
    const secret = new URL(otpauth_url).searchParams.get('secret') ?? '';
    expect(secret).to.match(/^[A-Z2-7]{32}$/);
    expect(recovery_codes).to.have.length(10);
    expect(new Set(recovery_codes).size).to.equal(10);
    const record = users.stored('user@example.com').mfa ?? '';
    expect(isSecondFactorOn(record)).to.equal(true);
    for (const shown of [secret, ...recovery_codes]) expect(record).not.to.include(shown);
    const trail = JSON.stringify(app.events);
    for (const shown of [secret, ...recovery_codes]) expect(trail).not.to.include(shown);
    expect(app.events.map((event) => event.type)).to.include.members([
      'mfa_enrolled',
      'mfa_enabled',
    ]);
  });

  it('until confirmed, a login still answers tokens; a wrong first code is 401 and leaves it off', async () => {
    const { access_token } = (await login()) as unknown as Pair;
    await app
      .http()
      .post('/auth/2fa/enroll')
      .set('Authorization', `Bearer ${access_token}`)
      .expect(200);
    expect(await login()).to.have.property('access_token');
    const wrong = await app
      .http()
      .post('/auth/2fa/confirm')
      .set('Authorization', `Bearer ${access_token}`)
      .send({ code: '000000' })
      .expect(401);
    expect(wrong.body).to.deep.equal(INVALID_CREDENTIALS);
    expect(isSecondFactorOn(users.stored('user@example.com').mfa)).to.equal(false);
  });

  it('with it on, the login answers a challenge and no token; the challenge opens nothing but the second step', async () => {
    const { code } = await enable();
    const answer = await app
      .http()
      .post('/auth/login')
      .send({ username: 'user@example.com', password: 'user-password' })
      .expect(200);
    expect(answer.headers['cache-control']).to.equal('no-store');
    const token = (answer.body as { challenge: string }).challenge;
    expect(JSON.stringify(answer.body)).not.to.include('access_token');
    await app.http().get('/things/mine').set('Authorization', `Bearer ${token}`).expect(401);
    await app.http().post('/auth/refresh').send({ refresh_token: token }).expect(401);
    // Nor is it a reset link.
    await app
      .http()
      .post('/auth/reset-password')
      .send({ token, new_password: 'a-new-password-1' })
      .expect(400);
    const pair = (await verify(token, code(app.clock.now())).expect(200)).body as Pair;
    await app
      .http()
      .get('/things/mine')
      .set('Authorization', `Bearer ${pair.access_token}`)
      .expect(200);
    // A reset link is no challenge either.
    await app.http().post('/auth/forgot-password').send({ email: 'user@example.com' });
    await app.container.get(AccountLifecycle).idle();
    const reset = users.lastToken('reset_password', 'user@example.com');
    app.clock.advance(STEP_MS);
    expect((await verify(reset, code(app.clock.now())).expect(400)).body).to.deep.equal(
      INVALID_TOKEN,
    );
  });

  it('a challenge is spent by its code: the same challenge with the next code is 400', async () => {
    const { code } = await enable();
    const token = await challenge();
    await verify(token, code(app.clock.now())).expect(200);
    app.clock.advance(STEP_MS);
    expect((await verify(token, code(app.clock.now())).expect(400)).body).to.deep.equal(
      INVALID_TOKEN,
    );
  });

  it('a code is accepted once: replayed on a new challenge it is 401, and so is an older code', async () => {
    const { code } = await enable();
    const used = code(app.clock.now());
    const previous = code(app.clock.now() - STEP_MS);
    await verify(await challenge(), used).expect(200);
    const replay = await verify(await challenge(), used).expect(401);
    expect(replay.body).to.deep.equal(INVALID_CREDENTIALS);
    await verify(await challenge(), previous).expect(401);
    expect(app.events.filter((e) => e.type === 'login_failed').map((e) => e.reason)).to.include(
      'replayed_code',
    );
  });

  it('a code one step off is accepted (a phone clock a little off); two steps off is refused', async () => {
    const { code } = await enable();
    await verify(await challenge(), code(app.clock.now() + 2 * STEP_MS)).expect(401);
    await verify(await challenge(), code(app.clock.now() - 2 * STEP_MS)).expect(401);
    await verify(await challenge(), code(app.clock.now() + STEP_MS)).expect(200);
  });

  it('guesses of the code are throttled as logins: locked after LOGIN_MAX_ATTEMPTS, and the right password does not reset the count', async () => {
    await start({ LOGIN_MAX_ATTEMPTS: '3' });
    const { code } = await enable();
    const spare = await challenge();
    for (let guess = 0; guess < 3; guess += 1) {
      // A new challenge each time: the password is right, the code is not.
      await verify(await challenge(), '123456').expect(401);
    }
    await app
      .http()
      .post('/auth/login')
      .send({ username: 'user@example.com', password: 'user-password' })
      .expect(429);
    // Even the right code waits out the lock.
    await verify(spare, code(app.clock.now())).expect(429);
  });

  it('a recovery code logs in once, and disables the factor once', async () => {
    const { recovery_codes } = await enable();
    const [first = '', second = ''] = recovery_codes;
    await verify(await challenge(), first.toUpperCase()).expect(200);
    await verify(await challenge(), first).expect(401);
    expect(app.events.map((e) => e.type)).to.include('recovery_code_used');
    const pair = (await verify(await challenge(), second.replace('-', ' ')).expect(200))
      .body as Pair;
    const third = recovery_codes[2] ?? '';
    await app
      .http()
      .post('/auth/2fa/disable')
      .set('Authorization', `Bearer ${pair.access_token}`)
      .send({ code: third })
      .expect(204);
    expect(await login()).to.have.property('access_token');
    expect(users.stored('user@example.com').mfa ?? null).to.equal(null);
  });

  it('disabling needs a fresh code: a wrong or spent one is 401, and the factor stays on', async () => {
    const { code } = await enable();
    const used = code(app.clock.now());
    const pair = (await verify(await challenge(), used).expect(200)).body as Pair;
    const disable = (value: string) =>
      app
        .http()
        .post('/auth/2fa/disable')
        .set('Authorization', `Bearer ${pair.access_token}`)
        .send({ code: value });
    await disable('654321').expect(401);
    await disable(used).expect(401);
    expect(isSecondFactorOn(users.stored('user@example.com').mfa)).to.equal(true);
    app.clock.advance(STEP_MS);
    await disable(code(app.clock.now())).expect(204);
    expect(app.events.map((e) => e.type)).to.include('mfa_disabled');
  });

  it('enrolling again while it is on is 409, and keeps the factor as it was', async () => {
    const { code, access_token } = await enable();
    const before = users.stored('user@example.com').mfa;
    await app
      .http()
      .post('/auth/2fa/enroll')
      .set('Authorization', `Bearer ${access_token}`)
      .expect(409);
    expect(users.stored('user@example.com').mfa).to.equal(before);
    await verify(await challenge(), code(app.clock.now())).expect(200);
  });

  it('a challenge dies with its lifetime, and with a new password', async () => {
    await start({ MFA_CHALLENGE_EXPIRE_MINUTES: '2' });
    const { code } = await enable();
    const old = await challenge();
    app.clock.advanceSeconds(121);
    expect((await verify(old, code(app.clock.now())).expect(400)).body).to.deep.equal(
      INVALID_TOKEN,
    );
    const token = await challenge();
    const stored = users.stored('user@example.com');
    stored.hashed_password = await users.hashPassword('another-password-1');
    await verify(token, code(app.clock.now())).expect(400);
  });

  it('of concurrent second steps with one code, exactly one gets tokens (many trials)', async () => {
    const { code } = await enable();
    for (let trial = 0; trial < 20; trial += 1) {
      // One challenge sent three times, or three challenges of one password.
      const one = await challenge();
      const tokens =
        trial % 2 === 0 ? [one, one, one] : [one, await challenge(), await challenge()];
      const answers = await Promise.all(
        tokens.map((token) => verify(token, code(app.clock.now()))),
      );
      const statuses = answers.map((answer) => answer.status);
      expect(
        statuses.filter((status) => status === 200),
        `trial ${trial}`,
      ).to.have.length(1);
      // The others find the code spent (401) or their challenge superseded by its use (400).
      expect(statuses.filter((status) => status !== 200)).to.satisfy((rest: number[]) =>
        rest.every((status) => status === 400 || status === 401),
      );
      app.clock.advance(STEP_MS);
    }
  });

  it('the cookie login answers the challenge and sets no cookie; the cookie second step sets them, from an allowed origin only', async () => {
    const { code } = await enable();
    const first = await app
      .http()
      .post('/auth/cookie/login')
      .set('Origin', APP_ORIGIN)
      .send({ username: 'user@example.com', password: 'user-password' })
      .expect(200);
    expect(first.headers['set-cookie']).to.equal(undefined);
    const token = (first.body as { challenge: string }).challenge;
    const foreign = await app
      .http()
      .post('/auth/cookie/2fa/verify')
      .set('Origin', 'https://evil.example')
      .send({ challenge: token, code: code(app.clock.now()) })
      .expect(403);
    expect(foreign.headers['set-cookie']).to.equal(undefined);
    const second = await app
      .http()
      .post('/auth/cookie/2fa/verify')
      .set('Origin', APP_ORIGIN)
      .send({ challenge: token, code: code(app.clock.now()) })
      .expect(200);
    expect(second.body).to.have.keys('csrf_token', 'expires_in');
    expect(setCookies(second).has(ACCESS_COOKIE)).to.equal(true);
  });

  it('login() called by an application throws SecondFactorRequiredError; beginLogin and verifySecondFactor do the two steps', async () => {
    const { code } = await enable();
    let thrown: unknown;
    await users.login('user@example.com', 'user-password').catch((error: unknown) => {
      thrown = error;
    });
    expect(thrown).to.be.instanceOf(SecondFactorRequiredError);
    const outcome = await users.beginLogin('user@example.com', 'user-password');
    expect(outcome).to.have.property('mfa_required', true);
    const token = (outcome as { challenge: string }).challenge;
    const error = await users.verifySecondFactor(token, '000000').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(InvalidCredentialsError);
    const pair = await users.verifySecondFactor(token, code(app.clock.now()));
    expect(pair).to.have.property('access_token');
  });

  it('a record that does not read (corrupt) asks for a code that nothing gives: never a login without the factor', async () => {
    users.stored('user@example.com').mfa = '{"v":1,"on":false';
    const token = await challenge();
    await verify(token, '123456').expect(401);
    expect(app.errors).to.deep.equal([]);
  });

  it('a secret sealed for one user does not open for another (the record copied to another row)', async () => {
    const { code } = await enable();
    const record = users.stored('user@example.com').mfa ?? null;
    users.stored('other@example.com').mfa = record;
    const token = await challenge('other@example.com', 'other-password');
    await verify(token, code(app.clock.now())).expect(401);
  });

  it('authenticateUser() of a user with the factor on gives no user: the password alone proves nothing', async () => {
    await enable();
    const error = await users
      .authenticateUser('user@example.com', 'user-password', { address: '198.51.100.7' })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).to.be.instanceOf(SecondFactorRequiredError);
    expect(await users.authenticateUser('other@example.com', 'other-password')).to.include({
      email: 'other@example.com',
    });
  });

  it('wrong codes are bounded per account (MFA_MAX_ATTEMPTS) from any address: neither a right password, authenticateUser nor a password reset gives fresh guesses', async () => {
    await start({ MFA_MAX_ATTEMPTS: '3', LOGIN_MAX_ATTEMPTS: '1000' });
    await enable();
    const outcomes: string[] = [];
    for (let guess = 0; guess < 6; guess += 1) {
      const address = `198.51.100.${guess + 1}`;
      // Each round, the attacker proves the password again, three ways.
      if (guess === 1) {
        await users
          .authenticateUser('user@example.com', 'user-password', { address })
          .catch(() => undefined);
      }
      if (guess === 2) {
        await app.http().post('/auth/forgot-password').send({ email: 'user@example.com' });
        await app.container.get(AccountLifecycle).idle();
        const reset = users.lastToken('reset_password', 'user@example.com');
        await app
          .http()
          .post('/auth/reset-password')
          .send({ token: reset, new_password: 'user-password-2' })
          .expect(204);
      }
      const password = guess >= 2 ? 'user-password-2' : 'user-password';
      const outcome = await users.beginLogin('user@example.com', password, { address });
      const token = (outcome as { challenge: string }).challenge;
      const answer = await users.verifySecondFactor(token, '123456', { address }).then(
        () => 'accepted',
        (e: unknown) => (e as Error).constructor.name,
      );
      outcomes.push(answer);
    }
    expect(outcomes).to.deep.equal([
      'InvalidCredentialsError',
      'InvalidCredentialsError',
      'InvalidCredentialsError',
      'TooManyAttemptsError',
      'TooManyAttemptsError',
      'TooManyAttemptsError',
    ]);
    expect(
      app.events.some((e) => e.type === 'account_locked' && e.scope === 'second_factor'),
    ).to.equal(true);
  });

  it('turning the factor on ends every other session of the user', async () => {
    const other = (await login()) as unknown as Pair;
    const { access_token } = await enable();
    await app.http().post('/auth/refresh').send({ refresh_token: other.refresh_token }).expect(401);
    await app.http().get('/things/mine').set('Authorization', `Bearer ${access_token}`).expect(200);
  });

  it('a code typed as apps show it ("123 456") is read without its space', async () => {
    const { code } = await enable();
    const typed = code(app.clock.now()).replace(/^(\d{3})/, '$1 ');
    await verify(await challenge(), typed).expect(200);
  });

  it('bad bodies are 400, never a 500: a number, a long code, no challenge', async () => {
    await enable();
    const token = await challenge();
    await app.http().post('/auth/2fa/verify').send({ challenge: token, code: 123456 }).expect(400);
    await app
      .http()
      .post('/auth/2fa/verify')
      .send({ challenge: token, code: '1'.repeat(33) })
      .expect(400);
    await app.http().post('/auth/2fa/verify').send({ code: '123456' }).expect(400);
    await verify('not-a-token', '123456').expect(400);
    expect(app.errors).to.deep.equal([]);
  });
});

describe('the second factor routes: what their configuration needs', () => {
  function configure(users: MemoryUsers, env: Record<string, string>): void {
    configureApp(new Koa(), {
      controllers: authRoutes({ secondFactor: true }),
      container: Container.of(`second-factor-config-${Math.random()}`),
      userAuthentication: users,
      settings: new BaseAppSettings(testEnvironment(env)),
      revocationStore: new MemoryRevocationStore(new FrozenClock()),
    });
  }

  it('refuses the routes without replaceSecondFactor', () => {
    expect(() => configure(new MemoryUsers(), {})).to.throw(
      ConfigurationError,
      /replaceSecondFactor/,
    );
  });

  it('refuses them in production without TOTP_ENCRYPTION_KEY, and refuses a short key anywhere', () => {
    expect(() =>
      configure(new SecondFactorUsers(), {
        NODE_ENV: 'production',
        SECRET_KEY: 'q'.repeat(12) + 'production-grade-random-key-material-0123456789',
        BCRYPT_ROUNDS: '10',
      }),
    ).to.throw(ConfigurationError, /TOTP_ENCRYPTION_KEY/);
    expect(() => new BaseAppSettings(testEnvironment({ TOTP_ENCRYPTION_KEY: 'short' }))).to.throw(
      ConfigurationError,
      /TOTP_ENCRYPTION_KEY/,
    );
  });

  it('in development without a key, makes one at start (secrets do not outlive the process)', () => {
    const settings = new BaseAppSettings(testEnvironment());
    expect(settings.totpKeyIsEphemeral).to.equal(true);
    expect(Buffer.byteLength(settings.TOTP_ENCRYPTION_KEY ?? '')).to.be.at.least(32);
    expect(new BaseAppSettings(testEnvironment()).TOTP_ENCRYPTION_KEY).not.to.equal(
      settings.TOTP_ENCRYPTION_KEY,
    );
  });
});
