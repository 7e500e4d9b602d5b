import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { ConfigurationError, StoreUnavailableError } from '../../src/errors/security-errors';
import { RedisRevocationStore } from '../../src/revocation/redis-revocation-store';
import { createRedisClient } from '../../src/revocation/redis-client';
import { FrozenClock } from '../helpers/frozen-clock';
import {
  connectRedis,
  dropKeys,
  redisAnswers,
  requireServer,
  uniquePrefix,
} from '../helpers/real-servers';
import { rejection } from '../helpers/rejection';
import { describeRevocationStore } from './revocation-store-behaviour';

describe('RedisRevocationStore (real Redis)', function () {
  let redis: Redis;

  before(async function () {
    await requireServer(this, 'Redis', redisAnswers);
    redis = await connectRedis();
  });
  after(() => redis?.disconnect());

  describeRevocationStore('RedisRevocationStore', (clock) => {
    const prefix = uniquePrefix();
    return Promise.resolve({
      store: new RedisRevocationStore(redis, { keyPrefix: prefix, clock }),
      cleanup: () => dropKeys(redis, prefix),
      entries: async () => (await redis.keys(`${prefix}*`)).length,
      // The rotation's time is Redis' own: written back older, as if time had passed there.
      ageRotation: async (familyId, ms) => {
        const [key = ''] = await redis.keys(`${prefix}*:gen:${familyId}`);
        const entry = String(await redis.get(key));
        const [generation, attempt, at] = entry.split(':');
        await redis.set(key, `${generation}:${attempt}:${Number(at) - ms}`, 'KEEPTTL');
      },
    });
  });

  describe('Redis specifics', () => {
    let prefix: string;
    let clock: FrozenClock;
    let store: RedisRevocationStore;
    beforeEach(() => {
      prefix = uniquePrefix();
      clock = new FrozenClock();
      store = new RedisRevocationStore(redis, { keyPrefix: prefix, clock });
    });
    afterEach(() => dropKeys(redis, prefix));

    it('gives each entry the remaining life of its token as TTL, under the prefix', async () => {
      await store.revokeToken('u1', 'j1', clock.now() + 60_000);
      const ttl = await redis.pttl(`${prefix}{u1}:jti:j1`);
      expect(ttl).to.be.within(59_000, 60_000);
      const epochBefore = await store.sessionEpoch();
      await store.revokeUserTokens('u1', clock.now(), clock.now() + 3_600_000);
      // The cutoff time, and the session epoch it moved on to.
      const [cutoffMs, epoch] = String(await redis.get(`${prefix}{u1}:cut`)).split(':');
      expect(cutoffMs).to.equal(String(clock.now()));
      expect(Number(epoch)).to.be.above(epochBefore);
      expect(Number(epoch)).to.be.at.most(await store.sessionEpoch());
      expect(await redis.pttl(`${prefix}{u1}:cut`)).to.be.within(3_599_000, 3_600_000);
    });

    it("keeps all of a user's keys under one hash tag, the user id percent-encoded", async () => {
      await store.revokeToken('a{b}%', 'j', clock.now() + 60_000);
      await store.revokeFamily('a{b}%', 'f', clock.now() + 60_000);
      await store.revokeUserTokens('a{b}%', clock.now(), clock.now() + 60_000);
      await store.revokeToken('', 'j', clock.now() + 60_000);
      expect((await redis.keys(`${prefix}{*`)).sort()).to.deep.equal([
        `${prefix}{%00}:jti:j`,
        `${prefix}{a%7Bb%7D%25}:cut`,
        `${prefix}{a%7Bb%7D%25}:fam:f`,
        `${prefix}{a%7Bb%7D%25}:jti:j`,
      ]);
    });

    it('refuses a key prefix with a hash tag of its own', () => {
      expect(() => new RedisRevocationStore(redis, { keyPrefix: '{app}:' })).to.throw(
        ConfigurationError,
        'keyPrefix',
      );
    });

    it('refuses counts and waits that are not whole numbers of 0 or more', () => {
      for (const name of [
        'replicaAcknowledgements',
        'acknowledgementTimeoutMs',
        'slotMigrationWaitMs',
      ]) {
        for (const value of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
          expect(
            () => new RedisRevocationStore(redis, { [name]: value }),
            `${name} ${value}`,
          ).to.throw(TypeError, name);
        }
      }
    });

    it('never writes an entry with no life left (no EX 0, no negative TTL)', async () => {
      await store.revokeToken('past', 'past', clock.now());
      await store.revokeFamily('past', 'past', clock.now() - 5000);
      await store.revokeUserTokens('past', clock.now(), clock.now() - 1);
      expect(await redis.keys(`${prefix}*`)).to.deep.equal([]);
    });

    it('keeps the longer lifetime when an entry is written twice', async () => {
      await store.revokeFamily('u', 'f', clock.now() + 600_000);
      await store.revokeFamily('u', 'f', clock.now() + 1000);
      expect(await redis.pttl(`${prefix}{u}:fam:f`)).to.be.above(590_000);
    });

    /** `work`'s result, and the names of the commands the client sent while it ran. */
    async function commandsSentBy<T>(work: () => Promise<T>): Promise<[T, string[]]> {
      const sent: string[] = [];
      const original = redis.sendCommand.bind(redis);
      redis.sendCommand = (command: { name: string }) => {
        sent.push(command.name);
        return original(command as never);
      };
      try {
        return [await work(), sent];
      } finally {
        redis.sendCommand = original;
      }
    }

    it('answers a check in one round trip', async () => {
      await store.sessionEpoch();
      const [, sent] = await commandsSentBy(() =>
        store.isRevoked({ jti: 'j', subject: 's', startedAtMs: 1, familyId: 'f' }),
      );
      expect(sent).to.deep.equal(['mget']);
    });

    it('answers the checks of one event-loop turn with one MGET, each for its own token', async () => {
      const now = clock.now();
      await store.revokeToken('s', 'revoked-jti', now + 60_000);
      await store.revokeFamily('s', 'revoked-family', now + 60_000);
      await store.revokeUserTokens('cut-user', now, now + 60_000);
      const checks = [
        { jti: 'revoked-jti', subject: 's', startedAtMs: now },
        { jti: 'j2', subject: 's', startedAtMs: now, familyId: 'revoked-family' },
        { jti: 'j3', subject: 'cut-user', startedAtMs: now },
        { jti: 'j4', subject: 'cut-user', startedAtMs: now + 1, familyId: 'live-family' },
        { jti: 'j5', subject: 's', startedAtMs: now },
        { jti: 'j6', subject: 's', startedAtMs: now, familyId: 'live-family' },
      ];
      const [answers, sent] = await commandsSentBy(() =>
        Promise.all(checks.map((check) => store.isRevoked(check))),
      );
      expect(answers).to.deep.equal([true, true, true, false, false, false]);
      expect(sent).to.deep.equal(['mget']);
    });

    it('D2 of 20 concurrent rotations on two instances (two clients) exactly one wins, in 20 trials', async () => {
      const other = await connectRedis();
      try {
        const second = new RedisRevocationStore(other, { keyPrefix: prefix, clock });
        for (let trial = 0; trial < 20; trial += 1) {
          const request = {
            jti: `r${trial}`,
            subject: 'u',
            startedAtMs: clock.now(),
            familyId: `fam-r${trial}`,
            generation: 0,
            familyExpiresAtMs: clock.now() + 120_000,
          };
          const next = { expiresAtMs: clock.now() + 60_000 };
          const outcomes = await Promise.all(
            Array.from({ length: 20 }, (_, i) =>
              (i % 2 ? store : second).rotateRefreshToken(request, next),
            ),
          );
          expect(outcomes.filter((o) => o === 'rotated')).to.have.length(1);
          expect(await store.isRevoked({ ...request, jti: 'sibling' })).to.equal(true);
        }
      } finally {
        other.disconnect();
      }
    });

    it('the session epoch keeps growing past every cutoff even when its key was lost', async () => {
      const before = await store.sessionEpoch();
      await store.revokeUserTokens('u-lost', clock.now(), clock.now() + 60_000);
      await redis.del(`${prefix}epoch`);
      // Lost, the epoch starts again from Redis' time, past the cutoff once a millisecond has.
      await new Promise((next) => setTimeout(next, 5));
      const after = await store.sessionEpoch();
      const cut = { jti: 'j', subject: 'u-lost', startedAtMs: clock.now() };
      expect(await store.isRevoked({ ...cut, sessionEpoch: before }), 'the old session').to.equal(
        true,
      );
      expect(await store.isRevoked({ ...cut, sessionEpoch: after }), 'a new login').to.equal(false);
    });

    it("a rotation that failed undoes only itself, never another instance's rotation of the same token", async () => {
      const other = await connectRedis();
      try {
        const x = new RedisRevocationStore(other, { keyPrefix: prefix, clock });
        const token = {
          jti: 'r-undo',
          subject: 'u',
          startedAtMs: clock.now(),
          familyId: 'fam-undo',
          generation: 0,
          familyExpiresAtMs: clock.now() + 120_000,
        };
        const next = { expiresAtMs: clock.now() + 60_000 };
        expect(await x.checkRefreshToken(token)).to.equal('current');
        expect(await store.rotateRefreshToken(token, next), 'Y rotates and delivers').to.equal(
          'rotated',
        );
        // X's rotation gets no answer: it undoes what it may have done.
        const scripted = other as unknown as Record<string, unknown>;
        const rotate = scripted['fastcoreRotateRefresh'];
        scripted['fastcoreRotateRefresh'] = () => Promise.reject(new Error('Command timed out'));
        try {
          expect(await rejection(x.rotateRefreshToken(token, next))).to.be.instanceOf(
            StoreUnavailableError,
          );
        } finally {
          scripted['fastcoreRotateRefresh'] = rotate;
        }
        expect(await store.checkRefreshToken({ ...token, jti: 'r-next', generation: 1 })).to.equal(
          'current',
        );
        expect(await store.checkRefreshToken(token), 'the spent token').to.equal('reused');
      } finally {
        other.disconnect();
      }
    });

    it('D6 with Redis unreachable every call fails fast with StoreUnavailableError', async () => {
      const down = createRedisClient('redis://127.0.0.1:1', { connectTimeout: 200 });
      try {
        const unreachable = new RedisRevocationStore(down, { keyPrefix: prefix, clock });
        const started = Date.now();
        expect(
          await rejection(unreachable.isRevoked({ jti: 'j', subject: 's', startedAtMs: 1 })),
        ).to.be.instanceOf(StoreUnavailableError);
        expect(
          await rejection(unreachable.revokeToken('s', 'j', clock.now() + 1000)),
        ).to.be.instanceOf(StoreUnavailableError);
        expect(Date.now() - started).to.be.below(1000);
      } finally {
        down.disconnect();
      }
    });
  });
});
