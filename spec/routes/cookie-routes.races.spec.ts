import { expect } from 'chai';
import type { Redis } from 'ioredis';
import type { Response } from 'supertest';
import { MemoryRevocationStore } from '../../src/revocation/memory-revocation-store';
import { RedisRevocationStore } from '../../src/revocation/redis-revocation-store';
import type { RevocationStore } from '../../src/revocation/revocation-store';
import type { CookieApp, CookieSessionState } from '../helpers/cookie-app';
import {
  cookieApp,
  fromPage,
  pageLogin,
  pageRefresh,
  sessionOf,
  switchableStore,
} from '../helpers/cookie-app';
import { FrozenClock } from '../helpers/frozen-clock';
import {
  connectRedis,
  dropKeys,
  redisAnswers,
  requireServer,
  uniquePrefix,
} from '../helpers/real-servers';

/**
 * State changes of one cookie session at once, and a store down in the middle of them,
 * on one instance in memory and on two instances sharing Redis. What is locked in: never a 5xx,
 * one consistent outcome (README "Several tabs": concurrent refreshes are a reuse and end the
 * session), and after a 503 nothing has changed.
 */
const TRIALS = 10;

function describeRaces(
  name: string,
  instances: () => Promise<{ a: CookieApp; b: CookieApp; close: () => Promise<void> }>,
): void {
  describe(`concurrent cookie state changes, ${name}`, () => {
    let a: CookieApp;
    let b: CookieApp;
    let close: () => Promise<void>;
    beforeEach(async () => {
      ({ a, b, close } = await instances());
    });
    afterEach(async () => close());

    const works = async (session: CookieSessionState): Promise<boolean> =>
      (await a.http().get('/things/mine').set('Cookie', session.cookie)).status === 200;
    const refreshes = async (session: CookieSessionState): Promise<boolean> =>
      (await pageRefresh(b, session)).status === 200;
    const noServerError = (responses: Response[]) =>
      expect(responses.map((r) => r.status).filter((s) => s >= 500)).to.deep.equal([]);

    it('five refreshes of one session at once, on both instances: at most one 200, the rest 401, then the session is over', async () => {
      for (let trial = 0; trial < TRIALS; trial += 1) {
        const session = sessionOf(await pageLogin(a).expect(200));
        const answers = await Promise.all(
          [a, b, a, b, a].map((instance) => pageRefresh(instance, session)),
        );
        noServerError(answers);
        const ok = answers.filter((r) => r.status === 200);
        expect(ok.length).to.be.at.most(1);
        expect(answers.filter((r) => r.status !== 200).map((r) => r.status)).to.satisfy(
          (statuses: number[]) => statuses.every((s) => s === 401),
        );
        // Refused answers set no live cookie: they clear the session's dead ones.
        for (const refused of answers.filter((r) => r.status !== 200)) {
          const lines = (refused.headers['set-cookie'] ?? []) as unknown as string[];
          expect(lines.filter((line) => !/; Max-Age=0;/.test(line))).to.deep.equal([]);
        }
        const winners = ok.map(sessionOf);
        for (const s of [session, ...winners]) {
          expect(await works(s)).to.equal(false);
          expect(await refreshes(s)).to.equal(false);
        }
      }
    });

    it('logout and refresh of one session at once: no 5xx, and afterwards no cookie of it works', async () => {
      for (let trial = 0; trial < TRIALS; trial += 1) {
        const session = sessionOf(await pageLogin(a).expect(200));
        const [logout, refresh] = await Promise.all([
          fromPage(a, session, '/auth/cookie/logout'),
          pageRefresh(b, session),
        ]);
        noServerError([logout, refresh]);
        expect(logout.status).to.be.oneOf([204, 401]);
        const after = refresh.status === 200 ? [session, sessionOf(refresh)] : [session];
        for (const s of after) {
          expect(await works(s)).to.equal(false);
          expect(await refreshes(s)).to.equal(false);
        }
      }
    });

    it('a password change by cookie and a refresh at once: afterwards no cookie of the session works, and only the new password logs in', async () => {
      for (let trial = 0; trial < 3; trial += 1) {
        const password = trial === 0 ? 'user-password' : `changed-password-${trial - 1}`;
        const session = sessionOf(await pageLogin(a, 'user@example.com', password).expect(200));
        const [change, refresh] = await Promise.all([
          fromPage(a, session, '/users/me/password', 'put').send({
            current_password: password,
            new_password: `changed-password-${trial}`,
          }),
          pageRefresh(b, session),
        ]);
        noServerError([change, refresh]);
        expect(change.status).to.equal(204);
        const after = refresh.status === 200 ? [session, sessionOf(refresh)] : [session];
        for (const s of after) {
          expect(await works(s)).to.equal(false);
          expect(await refreshes(s)).to.equal(false);
        }
        await pageLogin(b, 'user@example.com', password).expect(401);
      }
    });
  });
}

describeRaces('one instance in memory', async () => {
  const clock = new FrozenClock(Date.now());
  const app = await cookieApp({ clock, revocationStore: new MemoryRevocationStore(clock) });
  return { a: app, b: app, close: () => Promise.resolve() };
});

describe('on Redis', function () {
  let redis: Redis;
  before(async function () {
    await requireServer(this, 'Redis', redisAnswers);
    redis = await connectRedis();
  });
  after(() => redis?.disconnect());

  describeRaces('two instances on one Redis', async () => {
    const prefix = uniquePrefix();
    const clock = new FrozenClock(Date.now());
    const store = (): RevocationStore =>
      new RedisRevocationStore(redis, { keyPrefix: prefix, clock });
    const a = await cookieApp({ clock, revocationStore: store() });
    // The same users on B: the same emails and passwords, hashed again.
    const b = await cookieApp({ clock, revocationStore: store() });
    // One user table for both: B reads A's users (a password change on A counts on B).
    b.users.users.clear();
    for (const [key, user] of a.users.users) b.users.users.set(key, user);
    return { a, b, close: () => dropKeys(redis, prefix) };
  });
});

describe('cookie routes with a store down: login, refresh, logout, logout-all and password change', () => {
  it('each answers 503 with no Set-Cookie, and afterwards the session and the password are as before', async () => {
    const clock = new FrozenClock(Date.now());
    const switchable = switchableStore(new MemoryRevocationStore(clock));
    const app = await cookieApp({ clock, revocationStore: switchable.store });
    const session = sessionOf(await pageLogin(app).expect(200));
    switchable.down(true);
    const answers = {
      login: await pageLogin(app),
      refresh: await pageRefresh(app, session),
      logout: await fromPage(app, session, '/auth/cookie/logout'),
      logoutAll: await fromPage(app, session, '/auth/logout-all'),
      password: await fromPage(app, session, '/users/me/password', 'put').send({
        current_password: 'user-password',
        new_password: 'changed-password-x',
      }),
      change: await fromPage(app, session),
    };
    switchable.down(false);
    for (const [route, response] of Object.entries(answers)) {
      expect([response.status, response.headers['set-cookie']], route).to.deep.equal([
        503,
        undefined,
      ]);
    }
    expect(app.changed()).to.deep.equal([]);
    await app.http().get('/things/mine').set('Cookie', session.cookie).expect(200);
    await pageLogin(app, 'user@example.com', 'changed-password-x').expect(401);
    const next = sessionOf(await pageRefresh(app, session).expect(200));
    await fromPage(app, next).expect(200);
    expect(app.errors).to.deep.equal([]);
  });
});
