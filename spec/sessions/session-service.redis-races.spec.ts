import { expect } from 'chai';
import type { Redis } from 'ioredis';
import type { Response } from 'supertest';
import { RedisRevocationStore } from '../../src/revocation/redis-revocation-store';
import type { SessionView } from '../../src/sessions/session-service';
import type { CookieApp } from '../helpers/cookie-app';
import { cookieApp } from '../helpers/cookie-app';
import { FrozenClock } from '../helpers/frozen-clock';
import {
  connectRedis,
  dropKeys,
  redisAnswers,
  requireServer,
  uniquePrefix,
} from '../helpers/real-servers';

/**
 * Attack review of the sessions (issue 15) on two instances sharing one Redis (each its own
 * connection; the registry the configuration makes beside the Redis store): ending a session
 * while it refreshes, logins racing the bound, eviction while the evicted session refreshes,
 * a reuse interval with an end, and what Redis holds after loops.
 *
 * Behaviour the review verified, locked in; many trials each.
 */

interface Pair {
  access_token: string;
  refresh_token: string;
}

const TRIALS = 15;

describe('sessions, races and faults: two instances on one Redis', function () {
  let redisA: Redis;
  let redisB: Redis;
  let admin: Redis;
  let prefix: string;
  let a: CookieApp;
  let b: CookieApp;

  before(async function () {
    await requireServer(this, 'Redis', redisAnswers);
    [redisA, redisB, admin] = await Promise.all([connectRedis(), connectRedis(), connectRedis()]);
  });
  after(() => {
    for (const client of [redisA, redisB, admin]) client?.disconnect();
  });
  afterEach(() => dropKeys(admin, prefix));

  async function start(env: Record<string, string> = {}): Promise<void> {
    prefix = uniquePrefix();
    const clock = new FrozenClock(Date.now());
    const settings = { LOGIN_MAX_ATTEMPTS: '1000', ...env };
    a = await cookieApp({
      clock,
      env: settings,
      revocationStore: new RedisRevocationStore(redisA, { keyPrefix: prefix, clock }),
    });
    b = await cookieApp({
      clock,
      env: settings,
      seed: false,
      revocationStore: new RedisRevocationStore(redisB, { keyPrefix: prefix, clock }),
    });
    // One user table for both.
    for (const [key, user] of a.users.users) b.users.users.set(key, user);
  }

  const bearer = (pair: Pair) => ({ Authorization: `Bearer ${pair.access_token}` });
  const loginOn = async (app: CookieApp, device: string): Promise<Pair> =>
    (
      await app
        .http()
        .post('/auth/login')
        .set('User-Agent', device)
        .send({ username: 'user@example.com', password: 'user-password' })
        .expect(200)
    ).body as Pair;
  const refreshOn = (app: CookieApp, pair: Pair) =>
    app.http().post('/auth/refresh').send({ refresh_token: pair.refresh_token });
  const list = async (pair: Pair): Promise<SessionView[]> =>
    (await a.http().get('/auth/sessions').set(bearer(pair)).expect(200)).body as SessionView[];
  /** Whether the pair's access token works on both instances, and its refresh token on one. */
  const standing = async (pair: Pair) => {
    const access = await Promise.all(
      [a, b].map(async (app) => (await app.http().get('/things/mine').set(bearer(pair))).status),
    );
    return { access, refresh: (await refreshOn(b, pair)).status };
  };
  const dead = { access: [401, 401], refresh: 401 };
  const noServerError = (answers: Response[]) =>
    expect(answers.map((r) => r.status).filter((s) => s >= 500)).to.deep.equal([]);
  const familyOf = (token: string): string =>
    (
      JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as {
        fam: string;
      }
    ).fam;

  it(`an end on B racing a refresh of that session on A: whatever the order, no token of the session works afterwards (${TRIALS} trials)`, async () => {
    await start();
    const controller = await loginOn(b, 'Controller');
    for (let trial = 0; trial < TRIALS; trial += 1) {
      const victim = await loginOn(a, `Victim ${trial}`);
      const id = familyOf(victim.refresh_token);
      const [refreshed, ended] = await Promise.all([
        refreshOn(a, victim),
        b.http().delete(`/auth/sessions/${id}`).set(bearer(controller)),
      ]);
      noServerError([refreshed, ended]);
      expect(ended.status, `trial ${trial}`).to.equal(204);
      expect(await standing(victim), `trial ${trial}`).to.deep.equal(dead);
      if (refreshed.status === 200) {
        expect(await standing(refreshed.body as Pair), `trial ${trial} (new pair)`).to.deep.equal(
          dead,
        );
      }
      expect((await list(controller)).map((s) => s.id)).not.to.include(id);
    }
  });

  it(`with REFRESH_REUSE_INTERVAL_SECONDS=5: an end racing five refreshes of one token on both instances leaves no pair working (${TRIALS} trials)`, async () => {
    await start({ REFRESH_REUSE_INTERVAL_SECONDS: '5' });
    const controller = await loginOn(b, 'Controller');
    for (let trial = 0; trial < TRIALS; trial += 1) {
      const victim = await loginOn(a, `Victim ${trial}`);
      const id = familyOf(victim.refresh_token);
      const answers = await Promise.all([
        refreshOn(a, victim),
        refreshOn(b, victim),
        b.http().delete(`/auth/sessions/${id}`).set(bearer(controller)),
        refreshOn(a, victim),
        refreshOn(b, victim),
        refreshOn(a, victim),
      ]);
      noServerError(answers);
      expect(answers[2]?.status).to.equal(204);
      for (const answer of answers.filter((r) => r.status === 200 && r.body.refresh_token)) {
        expect(await standing(answer.body as Pair), `trial ${trial}`).to.deep.equal(dead);
      }
      // Grace does not outlive the end: the first token is refused too.
      expect(await standing(victim)).to.deep.equal(dead);
    }
  });

  it(`logins on both instances racing MAX_SESSIONS_PER_USER=3: never more than three sessions of the user work, and those are the ones listed (${TRIALS} trials)`, async () => {
    await start({ MAX_SESSIONS_PER_USER: '3' });
    const all: Pair[] = [];
    for (let trial = 0; trial < TRIALS; trial += 1) {
      const pairs = await Promise.all(
        Array.from({ length: 6 }, (_, i) => loginOn(i % 2 === 0 ? a : b, `T${trial} D${i}`)),
      );
      all.push(...pairs);
      const working: string[] = [];
      let live: Pair | undefined;
      for (const pair of all) {
        if ((await b.http().get('/things/mine').set(bearer(pair))).status === 200) {
          working.push(familyOf(pair.refresh_token));
          live = pair;
        }
      }
      expect(working.length, `trial ${trial}`).to.be.at.most(3);
      expect(live, `trial ${trial}: a session of the last logins works`).not.to.equal(undefined);
      const listed = (await list(live as Pair)).map((s) => s.id);
      expect(listed.length, `trial ${trial}`).to.be.at.most(3);
      expect([...working].sort(), `trial ${trial}`).to.deep.equal([...listed].sort());
      // The refresh tokens follow the registry: those of unlisted sessions are refused.
      const refreshed = await Promise.all(all.map((pair) => refreshOn(a, pair)));
      const renewed = refreshed.filter((r) => r.status === 200).map((r) => r.body as Pair);
      expect(renewed.length, `trial ${trial}`).to.be.at.most(3);
      expect(renewed.map((pair) => familyOf(pair.refresh_token)).sort()).to.deep.equal(
        [...listed].sort(),
      );
      // Refreshed pairs replace the ones just spent.
      all.length = 0;
      all.push(...renewed);
      a.clock.advanceSeconds(1);
    }
  });

  it(`an eviction on B racing a refresh of the evicted session on A: the evicted session’s tokens, new ones included, stop (${TRIALS} trials)`, async () => {
    await start({ MAX_SESSIONS_PER_USER: '1' });
    for (let trial = 0; trial < TRIALS; trial += 1) {
      const old = await loginOn(a, `Old ${trial}`);
      a.clock.advance(5);
      const [refreshed, newer] = await Promise.all([
        refreshOn(a, old),
        b
          .http()
          .post('/auth/login')
          .set('User-Agent', `New ${trial}`)
          .send({ username: 'user@example.com', password: 'user-password' }),
      ]);
      noServerError([refreshed, newer]);
      expect(newer.status).to.equal(200);
      expect(await standing(old), `trial ${trial}`).to.deep.equal(dead);
      if (refreshed.status === 200) {
        expect(await standing(refreshed.body as Pair), `trial ${trial} (new pair)`).to.deep.equal(
          dead,
        );
      }
      const fresh = newer.body as Pair;
      expect((await list(fresh)).map((s) => s.user_agent)).to.deep.equal([`New ${trial}`]);
      a.clock.advance(5);
    }
  });

  it('Redis stays bounded: a login loop of one user, a refresh loop, many users; every key expires (but the one epoch and the one marker)', async () => {
    await start({ MAX_SESSIONS_PER_USER: '3' });
    const keys = async (pattern = '*') => admin.keys(`${prefix}${pattern}`);
    let last: Pair | undefined;
    for (let i = 0; i < 40; i += 1) {
      last = await loginOn(i % 2 === 0 ? a : b, `Loop ${i}`);
      a.clock.advanceSeconds(1);
    }
    // The registry: the user's set and three hashes.
    expect(await keys('sessions:*')).to.have.length(4);
    const afterLogins = (await keys()).length;
    // A refresh loop adds nothing but the session's one generation entry.
    let pair = last as Pair;
    for (let i = 0; i < 40; i += 1) {
      pair = (await refreshOn(i % 2 === 0 ? a : b, pair).expect(200)).body as Pair;
    }
    expect((await keys()).length).to.be.at.most(afterLogins + 1);
    // Evicted sessions leave an entry each, for an access token's life (and its clock lead).
    for (const key of await keys()) {
      const ttl = await admin.pttl(key);
      // The epoch and the marker are never forgotten: one each.
      if (key === `${prefix}epoch` || key === `${prefix}marker`) expect(ttl, key).to.equal(-1);
      else if (key.includes(':fam:')) {
        expect(ttl, key).to.be.within(1, (30 * 60 + 121 + 1) * 1000);
      } else expect(ttl, key).to.be.greaterThan(0);
    }
    // Many users, each past the bound: each has at most its bound of hashes and one set.
    for (let u = 0; u < 10; u += 1) await a.users.add(`u${u}@example.com`, 'user-password');
    for (const [key, user] of a.users.users) b.users.users.set(key, user);
    for (let u = 0; u < 10; u += 1) {
      for (let i = 0; i < 5; i += 1) {
        await (i % 2 === 0 ? a : b)
          .http()
          .post('/auth/login')
          .send({ username: `u${u}@example.com`, password: 'user-password' })
          .expect(200);
      }
    }
    expect(await keys('sessions:*')).to.have.length(4 + 10 * 4);
  });
});
