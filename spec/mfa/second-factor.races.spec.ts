import bcrypt from 'bcrypt';
import { expect } from 'chai';
import { SESSION_REGISTRY } from '../../src/container/injection-tokens';
import { StoreUnavailableError } from '../../src/errors/security-errors';
import { isSecondFactorOn } from '../../src/mfa/second-factor-record';
import { TOTP_PERIOD_SECONDS } from '../../src/mfa/totp-codes';
import type { SessionRegistry } from '../../src/sessions/session-registry';
import type { CookieApp } from '../helpers/cookie-app';
import { cookieApp } from '../helpers/cookie-app';
import type { TestUser } from '../helpers/memory-users';
import { SecondFactorUsers, authenticator } from '../helpers/second-factor-users';

const STEP_MS = TOTP_PERIOD_SECONDS * 1000;
interface Pair {
  access_token: string;
  refresh_token: string;
}

/** `POST /auth/2fa/confirm` with `code`, signed in with `access`. */
function confirm(app: CookieApp, access: string, code: string) {
  return app
    .http()
    .post('/auth/2fa/confirm')
    .set('Authorization', `Bearer ${access}`)
    .send({ code });
}

/** Users as a database gives them: each read is a copy (a row), writes go to the store. */
class RowUsers extends SecondFactorUsers {
  /** Awaited after the row is read, before it is returned (a slow query, a slow bcrypt). */
  afterRead: (() => Promise<void>) | undefined;
  override async getUserByUsername(username: string): Promise<TestUser | undefined> {
    const row = this.users.get(username.toLowerCase());
    const copy = row === undefined ? undefined : structuredClone(row);
    if (this.afterRead !== undefined) await this.afterRead();
    return copy;
  }
  override getUserById(id: string): Promise<TestUser | undefined> {
    const row = [...this.users.values()].find((user) => String(user.id) === id);
    return Promise.resolve(row === undefined ? undefined : structuredClone(row));
  }
  override updatePasswordHash(user: TestUser, hash: string): Promise<void> {
    const row = [...this.users.values()].find((candidate) => candidate.id === user.id);
    if (row !== undefined) row.hashed_password = hash;
    return Promise.resolve();
  }
}

/**
 * Issue 17: the second factor against the races and faults a second attack review found, on
 * users read as rows (each read a copy, as from a database).
 */
describe('the second factor: races with its confirmation, a failing registry, a hash upgrade', () => {
  let app: CookieApp;
  let users: RowUsers;

  async function start(env: Record<string, string> = {}): Promise<void> {
    users = new RowUsers();
    app = await cookieApp({ users, env, routes: { cookies: true, secondFactor: true } });
    app.clock.advance(STEP_MS - (app.clock.now() % STEP_MS) + STEP_MS / 2);
  }
  beforeEach(() => start());

  const login = async (username = 'user@example.com', password = 'user-password') =>
    (await app.http().post('/auth/login').send({ username, password }).expect(200)).body as Record<
      string,
      unknown
    >;
  const bearer = (token: string) => `Bearer ${token}`;

  async function enroll(access: string) {
    const answer = await app
      .http()
      .post('/auth/2fa/enroll')
      .set('Authorization', bearer(access))
      .expect(200);
    return authenticator((answer.body as { otpauth_url: string }).otpauth_url);
  }

  it('a login whose password check overlaps the confirmation gets a challenge, not a session that needed no code', async () => {
    const own = (await login()) as unknown as Pair;
    const code = await enroll(own.access_token);
    // The attacker's login reads the row (factor not on yet); the owner confirms meanwhile.
    let release!: () => void;
    const read = new Promise<void>((resolve) => {
      users.afterRead = () => {
        resolve();
        return new Promise((go) => (release = go));
      };
    });
    const attacker = app
      .http()
      .post('/auth/login')
      .send({ username: 'user@example.com', password: 'user-password' });
    const answered = attacker.then((r) => r);
    await read;
    users.afterRead = undefined;
    await confirm(app, own.access_token, code(app.clock.now())).expect(204);
    release();
    const answer = await answered;
    expect(answer.status).to.equal(200);
    // The factor is on, and every other session ended: this login asks for the code too.
    expect(answer.body).to.have.keys('mfa_required', 'challenge');
    const listed = await app
      .http()
      .get('/auth/sessions')
      .set('Authorization', bearer(own.access_token))
      .expect(200);
    expect(listed.body as unknown[], 'the withdrawn session is not listed').to.have.length(1);
  });

  it('a confirmation whose session ending fails (503) changes nothing: the factor stays off, and the retry turns it on and ends them', async () => {
    const other = (await login()) as unknown as Pair;
    const own = (await login()) as unknown as Pair;
    const code = await enroll(own.access_token);
    const registry = app.container.get<SessionRegistry>(SESSION_REGISTRY);
    const list = registry.list.bind(registry);
    registry.list = () => {
      registry.list = list;
      return Promise.reject(new StoreUnavailableError());
    };
    await confirm(app, own.access_token, code(app.clock.now())).expect(503);
    expect(isSecondFactorOn(users.stored('user@example.com').mfa), 'off after the 503').to.equal(
      false,
    );
    // The client retries as a 503 invites, with the same code: it was not spent.
    await confirm(app, own.access_token, code(app.clock.now())).expect(204);
    await app.http().post('/auth/refresh').send({ refresh_token: other.refresh_token }).expect(401);
  });

  it('a user with the factor on whose hash is below BCRYPT_ROUNDS gets a challenge bound to the upgraded hash', async () => {
    await start({ BCRYPT_ROUNDS: '5' });
    const own = (await login()) as unknown as Pair;
    const code = await enroll(own.access_token);
    await confirm(app, own.access_token, code(app.clock.now())).expect(204);
    app.clock.advance(STEP_MS);
    // A hash from before BCRYPT_ROUNDS was raised: the login upgrades it.
    users.stored('user@example.com').hashed_password = await bcrypt.hash('user-password', 4);
    const { challenge } = (await login()) as { challenge: string };
    await app
      .http()
      .post('/auth/2fa/verify')
      .send({ challenge, code: code(app.clock.now()) })
      .expect(200);
  });
});

/** Users whose names are case-sensitive (loginNameKey overridden to fold less). */
class CaseSensitiveUsers extends SecondFactorUsers {
  override getUserByUsername(username: string): Promise<TestUser | undefined> {
    return Promise.resolve(this.users.get(username));
  }
  override loginNameKey(username: string): string {
    return username.normalize('NFC').trim();
  }
}

describe('the code counter of one user', () => {
  it("is the user's own: another account whose name differs only in case (names kept case-sensitive) cannot lock it", async () => {
    const users = new CaseSensitiveUsers();
    const app = await cookieApp({
      users,
      env: { MFA_MAX_ATTEMPTS: '3', LOGIN_MAX_ATTEMPTS: '1000' },
      routes: { secondFactor: true },
      seed: false,
    });
    app.clock.advance(STEP_MS - (app.clock.now() % STEP_MS) + STEP_MS / 2);
    await users.add('alice', 'alice-password');
    await users.add('Alice', 'attacker-password');
    const loginAs = async (username: string, password: string) =>
      (await app.http().post('/auth/login').send({ username, password }).expect(200))
        .body as Record<string, unknown>;
    // The victim turns the factor on.
    const victim = (await loginAs('alice', 'alice-password')) as unknown as Pair;
    const enrolled = await app
      .http()
      .post('/auth/2fa/enroll')
      .set('Authorization', `Bearer ${victim.access_token}`)
      .expect(200);
    const code = authenticator((enrolled.body as { otpauth_url: string }).otpauth_url);
    await confirm(app, victim.access_token, code(app.clock.now())).expect(204);
    app.clock.advance(STEP_MS);
    // The attacker, with an account of their own, types wrong first codes on it.
    const attacker = (await loginAs('Alice', 'attacker-password')) as unknown as Pair;
    await app
      .http()
      .post('/auth/2fa/enroll')
      .set('Authorization', `Bearer ${attacker.access_token}`)
      .expect(200);
    for (let guess = 0; guess < 4; guess += 1) {
      await confirm(app, attacker.access_token, '000000');
    }
    const { challenge } = (await loginAs('alice', 'alice-password')) as { challenge: string };
    await app
      .http()
      .post('/auth/2fa/verify')
      .send({ challenge, code: code(app.clock.now()) })
      .expect(200);
  });
});
