import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { Redis as Redis5 } from 'ioredis5';
import { systemClock } from '../../src/clock/clock';
import { StoreUnavailableError } from '../../src/errors/security-errors';
import { createRedisClient } from '../../src/revocation/redis-client';
import { RedisSessionRegistry } from '../../src/sessions/redis-session-registry';
import type { SessionRecord } from '../../src/sessions/session-registry';
import { FrozenClock } from '../helpers/frozen-clock';
import {
  TEST_REDIS_URL,
  connectRedis,
  dropKeys,
  redisAnswers,
  requireServer,
  uniquePrefix,
} from '../helpers/real-servers';
import { rejection } from '../helpers/rejection';
import { describeSessionRegistry } from './session-registry-behaviour';

const HOUR = 3_600_000;

/** The Redis Cluster hash tag of a key: between its first `{` and the first `}` after it. */
function hashTagOf(key: string): string | undefined {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : undefined;
}

describe('RedisSessionRegistry (real Redis)', function () {
  let redis: Redis;

  before(async function () {
    await requireServer(this, 'Redis', redisAnswers);
    redis = await connectRedis();
  });
  after(() => redis?.disconnect());

  describeSessionRegistry('RedisSessionRegistry', (clock) => {
    const prefix = uniquePrefix();
    return Promise.resolve({
      registry: new RedisSessionRegistry(redis, { keyPrefix: prefix, clock }),
      cleanup: () => dropKeys(redis, prefix),
      entries: async () => (await redis.keys(`${prefix}*:session:*`)).length,
    });
  });

  describe('Redis specifics', () => {
    let prefix: string;
    let clock: FrozenClock;
    let registry: RedisSessionRegistry;
    beforeEach(() => {
      prefix = uniquePrefix();
      clock = new FrozenClock();
      registry = new RedisSessionRegistry(redis, { keyPrefix: prefix, clock });
    });
    afterEach(() => dropKeys(redis, prefix));

    const session = (userId: string, overrides: Partial<SessionRecord> = {}): SessionRecord => {
      const createdAtMs = overrides.createdAtMs ?? clock.now();
      return {
        id: randomUUID(),
        userId,
        createdAtMs,
        lastUsedAtMs: createdAtMs,
        expiresAtMs: clock.now() + HOUR,
        ...overrides,
      };
    };

    it('lays out a user as one sorted set of ids by createdAtMs and one hash per session, each with its TTL', async () => {
      const s = session('alice', { epoch: 42, address: '192.0.2.1', userAgent: 'UA' });
      await registry.add(s, 5);
      const setKey = `${prefix}{alice}:sessions`;
      const hashKey = `${prefix}{alice}:session:${s.id}`;
      expect((await redis.keys(`${prefix}*`)).sort()).to.deep.equal([hashKey, setKey].sort());
      expect(await redis.type(setKey)).to.equal('zset');
      expect(await redis.zscore(setKey, s.id)).to.equal(String(s.createdAtMs));
      expect(await redis.hgetall(hashKey)).to.deep.equal({
        createdAtMs: String(s.createdAtMs),
        lastUsedAtMs: String(s.lastUsedAtMs),
        expiresAtMs: String(s.expiresAtMs),
        epoch: '42',
        address: '192.0.2.1',
        userAgent: 'UA',
      });
      // What is left of the session by the registry's clock, not Redis' reading of expiresAtMs.
      expect(await redis.pttl(hashKey)).to.be.within(HOUR - 1000, HOUR);
      expect(await redis.pttl(setKey)).to.be.within(HOUR - 1000, HOUR);
    });

    it("gives every key of a user one hash tag, the user's own: injective and free of braces", async () => {
      const users = ['a{b}c', 'a%7Bb%7Dc', '{', '}', '%', '{}', 'plain'];
      for (const user of users) await registry.add(session(user), 5);
      const byTag = new Map<string | undefined, string[]>();
      for (const key of await redis.keys(`${prefix}*`)) {
        const tag = hashTagOf(key);
        byTag.set(tag, [...(byTag.get(tag) ?? []), key]);
      }
      expect(byTag.size, 'one tag per user').to.equal(users.length);
      for (const [tag, keys] of byTag) {
        expect(tag).to.match(/^[^{}]+$/);
        const rest = keys.map((key) => key.slice(`${prefix}{${tag}}`.length)).sort();
        expect(rest[0]).to.match(/^:session:[0-9a-f-]{36}$/);
        expect(rest[1]).to.equal(':sessions');
      }
      // The user `a%7Bb%7Dc` is not the user `a{b}c`, whose tag it spells.
      expect([...byTag.keys()]).to.include.members(['a%7Bb%7Dc', 'a%257Bb%257Dc', '%7B%7D']);
      for (const user of users) expect(await registry.list(user), user).to.have.length(1);
    });

    it('refuses a keyPrefix with a brace (it would take the hash tag from the users)', () => {
      expect(() => new RedisSessionRegistry(redis, { keyPrefix: 'app:{x}:' })).to.throw(
        TypeError,
        'keyPrefix must be a string without { or }',
      );
      expect(() => new RedisSessionRegistry(redis, { keyPrefix: 'app}:' })).to.throw(TypeError);
    });

    it("the set lives as long as its latest session, and is gone with the user's last one", async () => {
      const setKey = `${prefix}{bob}:sessions`;
      const near = session('bob', { expiresAtMs: clock.now() + HOUR });
      const far = session('bob', { expiresAtMs: clock.now() + 2 * HOUR });
      await registry.add(far, 5);
      await registry.add(near, 5);
      expect(await redis.pttl(setKey)).to.be.within(2 * HOUR - 1000, 2 * HOUR);
      await registry.remove('bob', far.id);
      expect(await redis.pttl(setKey)).to.be.within(HOUR - 1000, HOUR);
      await registry.remove('bob', near.id);
      expect(await redis.keys(`${prefix}*`)).to.deep.equal([]);
    });

    it('prunes a member whose hash Redis forgot, and a touch does not bring it back', async () => {
      const setKey = `${prefix}{carol}:sessions`;
      const [gone, kept] = [session('carol'), session('carol', { createdAtMs: clock.now() + 1 })];
      await registry.add(gone, 5);
      await registry.add(kept, 5);
      await redis.del(`${prefix}{carol}:session:${gone.id}`); // as its TTL would
      expect(await registry.get('carol', gone.id)).to.equal(undefined);
      await registry.touch('carol', gone.id, clock.now() + 5);
      expect(await redis.exists(`${prefix}{carol}:session:${gone.id}`)).to.equal(0);
      expect(await registry.list('carol')).to.deep.equal([kept]);
      expect(await redis.zrange(setKey, '0', '-1')).to.deep.equal([kept.id]);
    });

    it('the session is forgotten by Redis itself at its end (a short real expiry)', async () => {
      const wall = new RedisSessionRegistry(redis, { keyPrefix: prefix, clock: systemClock });
      const now = Date.now();
      await wall.add(
        { id: 'f', userId: 'dave', createdAtMs: now, lastUsedAtMs: now, expiresAtMs: now + 300 },
        5,
      );
      expect(await redis.exists(`${prefix}{dave}:session:f`)).to.equal(1);
      // Bounded wait for Redis' own expiry, which nothing here can advance.
      let keys = await redis.keys(`${prefix}*`);
      for (let attempt = 0; attempt < 80 && keys.length > 0; attempt += 1) {
        await new Promise((next) => setTimeout(next, 25));
        keys = await redis.keys(`${prefix}*`);
      }
      expect(keys).to.deep.equal([]);
      expect(Date.now() - now).to.be.within(250, 2000);
    });

    it("keeps to the client's own keyPrefix (ioredis' option) for the keys a script names", async () => {
      const prefixed = createRedisClient(TEST_REDIS_URL, { keyPrefix: `${prefix}client:` });
      try {
        await new Promise((ready) => prefixed.once('ready', ready));
        const inner = new RedisSessionRegistry(prefixed, { keyPrefix: 'ours:', clock });
        const [a, b] = [session('erin'), session('erin', { createdAtMs: clock.now() + 1 })];
        await inner.add(a, 1);
        expect(await inner.add(b, 1)).to.deep.equal([a]);
        expect(await inner.list('erin')).to.deep.equal([b]);
        expect((await redis.keys(`${prefix}*`)).sort()).to.deep.equal([
          `${prefix}client:ours:{erin}:session:${b.id}`,
          `${prefix}client:ours:{erin}:sessions`,
        ]);
      } finally {
        prefixed.disconnect();
      }
    });

    it('of 40 concurrent adds on two instances with at most 5, 5 live and each other evicted once, in 20 trials', async () => {
      const other = await connectRedis();
      try {
        const second = new RedisSessionRegistry(other, { keyPrefix: prefix, clock });
        for (let trial = 0; trial < 20; trial += 1) {
          const user = `race-${trial}`;
          const sessions = Array.from({ length: 40 }, (_, i) =>
            session(user, { createdAtMs: clock.now() + (i % 7) }),
          );
          const evictions = await Promise.all(
            sessions.map((s, i) => (i % 2 ? registry : second).add(s, 5)),
          );
          const evicted = evictions.flat().map((record) => record.id);
          const live = (await registry.list(user)).map((record) => record.id);
          expect(live, `trial ${trial}`).to.have.length(5);
          expect(new Set(evicted).size, 'each evicted once').to.equal(evicted.length);
          expect([...evicted, ...live]).to.have.members(sessions.map((s) => s.id));
          expect(await redis.keys(`${prefix}{${user}}*`)).to.have.length(6);
        }
      } finally {
        other.disconnect();
      }
    });

    it('a remove racing touches on two instances never brings the session back, in 20 trials', async () => {
      const other = await connectRedis();
      try {
        const second = new RedisSessionRegistry(other, { keyPrefix: prefix, clock });
        for (let trial = 0; trial < 20; trial += 1) {
          const s = session('frank');
          await registry.add(s, 5);
          // Sent in an order of the trial's own: touches before, around and after the remove.
          const calls: (() => Promise<unknown>)[] = Array.from(
            { length: 6 },
            (_, i) => () => (i % 2 ? registry : second).touch('frank', s.id, clock.now() + i + 1),
          );
          const remove = () => registry.remove('frank', s.id);
          calls.splice(trial % 7, 0, remove);
          const replies = await Promise.all(calls.map((call) => call()));
          const removed = replies[trial % 7] as SessionRecord | undefined;
          expect(removed?.id).to.equal(s.id);
          expect(await registry.get('frank', s.id)).to.equal(undefined);
          expect(await redis.exists(`${prefix}{frank}:session:${s.id}`)).to.equal(0);
        }
        expect(await redis.keys(`${prefix}*`)).to.deep.equal([]);
      } finally {
        other.disconnect();
      }
    });

    it('concurrent touches on two instances leave the latest time', async () => {
      const other = await connectRedis();
      try {
        const second = new RedisSessionRegistry(other, { keyPrefix: prefix, clock });
        const s = session('grace');
        await registry.add(s, 5);
        const times = Array.from({ length: 40 }, (_, i) => clock.now() + ((i * 7919) % 40));
        await Promise.all(times.map((t, i) => (i % 2 ? registry : second).touch('grace', s.id, t)));
        expect((await registry.get('grace', s.id))?.lastUsedAtMs).to.equal(Math.max(...times));
      } finally {
        other.disconnect();
      }
    });

    it('with Redis unreachable every call fails fast with StoreUnavailableError; misuse is still a TypeError', async () => {
      const down = createRedisClient('redis://127.0.0.1:1', { connectTimeout: 200 });
      try {
        const unreachable = new RedisSessionRegistry(down, { keyPrefix: prefix, clock });
        const started = Date.now();
        const calls = [
          unreachable.add(session('u'), 5),
          unreachable.touch('u', 'f', clock.now()),
          unreachable.list('u'),
          unreachable.get('u', 'f'),
          unreachable.remove('u', 'f'),
          unreachable.removeAllExcept('u', undefined),
        ];
        for (const call of calls)
          expect(await rejection(call)).to.be.instanceOf(StoreUnavailableError);
        expect(Date.now() - started).to.be.below(1000);
        expect(await rejection(unreachable.list(''))).to.be.instanceOf(TypeError);
      } finally {
        down.disconnect();
      }
    });

    it('with the client closed, and on an error reply, StoreUnavailableError', async () => {
      const closed = await connectRedis();
      const onClosed = new RedisSessionRegistry(closed, { keyPrefix: prefix, clock });
      await closed.quit();
      expect(await rejection(onClosed.list('u'))).to.be.instanceOf(StoreUnavailableError);
      expect(await rejection(onClosed.add(session('u'), 5))).to.be.instanceOf(
        StoreUnavailableError,
      );
      await redis.set(`${prefix}{broken}:sessions`, 'not a sorted set');
      expect(await rejection(registry.list('broken'))).to.be.instanceOf(StoreUnavailableError);
      expect(await rejection(registry.add(session('broken'), 5))).to.be.instanceOf(
        StoreUnavailableError,
      );
    });

    it('works with an ioredis 5 client as with 6', async () => {
      const five = new Redis5(TEST_REDIS_URL, { maxRetriesPerRequest: 0 });
      try {
        const onFive = new RedisSessionRegistry(five, { keyPrefix: prefix, clock });
        const [a, b] = [session('heidi'), session('heidi', { createdAtMs: clock.now() + 1 })];
        await onFive.add(a, 1);
        expect(await onFive.add(b, 1)).to.deep.equal([a]);
        expect(await registry.list('heidi')).to.deep.equal([b]);
      } finally {
        five.disconnect();
      }
    });
  });
});
