import { expect } from 'chai';
import { Redis } from 'ioredis';
import { StoreUnavailableError } from '../../src/errors/security-errors';
import { createRedisSentinelClient } from '../../src/revocation/redis-client';
import { RedisRevocationStore } from '../../src/revocation/redis-revocation-store';
import type { StoreDataLoss } from '../../src/revocation/revocation-store';
import { untilTrue } from '../helpers/bounded-wait';
import { sessionStates } from '../helpers/session-states';
import { FrozenClock } from '../helpers/frozen-clock';
import { requireRedisBinaries } from '../helpers/redis-binaries';
import { commandCalls } from '../helpers/redis-command-calls';
import { RedisSentinel } from '../helpers/redis-sentinel';
import { ReplyDroppingProxy } from '../helpers/reply-dropping-proxy';
import { uniquePrefix } from '../helpers/real-servers';
import { rotationTrials } from './resent-rotation';
import { describeRevocationStore } from './revocation-store-behaviour';

/**
 * Issue 16 on Redis Sentinel (one master, one replica, three sentinels, started by the spec
 * on loopback ports): the store's behaviour suite through a Sentinel client, then the master
 * killed under it.
 */
describe('RedisRevocationStore through Redis Sentinel (1 master, 1 replica, 3 sentinels)', function () {
  this.timeout(120_000);
  let sentinel: RedisSentinel;
  let redis: Redis;

  before(async function () {
    await requireRedisBinaries(this);
    sentinel = await RedisSentinel.start();
    redis = createRedisSentinelClient({ sentinels: sentinel.sentinels, name: sentinel.name });
    await untilTrue('the Sentinel client ready', () => Promise.resolve(redis.status === 'ready'));
  });
  after(async () => {
    redis?.disconnect();
    await sentinel?.stop();
  });

  describeRevocationStore('RedisRevocationStore (Sentinel)', (clock) => {
    const prefix = uniquePrefix();
    return Promise.resolve({
      store: new RedisRevocationStore(redis, { keyPrefix: prefix, clock }),
      // The rotation's time is Redis' own: written back older, as if time had passed there.
      ageRotation: async (familyId, ms) => {
        const [key = ''] = await redis.keys(`${prefix}*:gen:${familyId}`);
        const [generation, attempt, at] = String(await redis.get(key)).split(':');
        await redis.set(key, `${generation}:${attempt}:${Number(at) - ms}`, 'KEEPTTL');
      },
    });
  });

  it('revocations asked for in one turn share one WAIT (a group commit), and each is in force', async () => {
    const clock = new FrozenClock(Date.now());
    const store = new RedisRevocationStore(redis, { keyPrefix: uniquePrefix(), clock });
    await store.sessionEpoch();
    const waits = async () => (await commandCalls([redis], 'WAIT'))[0] ?? 0;
    for (let trial = 0; trial < 5; trial += 1) {
      const tokens = Array.from({ length: 40 }, (_, i) => ({
        jti: `jti-${trial}-${i}`,
        subject: `user-${i}`,
        startedAtMs: clock.now(),
      }));
      const before = await waits();
      await Promise.all(
        tokens.map((t) => store.revokeToken(t.subject, t.jti, clock.now() + 60_000)),
      );
      expect((await waits()) - before, '40 revocations, one WAIT').to.equal(1);
      const revoked = await Promise.all(tokens.map((t) => store.isRevoked(t)));
      expect(revoked.every(Boolean), 'every one in force').to.equal(true);
    }
  });

  it("a rotation whose reply was lost, sent again by an application's own client (ioredis' defaults), answers rotated behind its WAIT (many trials)", async () => {
    const port = Number((await redis.config('GET', 'port'))[1]);
    const proxy = await ReplyDroppingProxy.start({ host: '127.0.0.1', port });
    const own = new Redis({ host: '127.0.0.1', port: proxy.port, lazyConnect: true });
    own.on('error', () => undefined);
    try {
      await own.connect();
      const clock = new FrozenClock(Date.now());
      const store = new RedisRevocationStore(own, {
        keyPrefix: uniquePrefix(),
        clock,
        replicaAcknowledgements: 1,
      });
      await rotationTrials(store, clock, [proxy], 10);
    } finally {
      own.disconnect();
      await proxy.close();
    }
  });

  // After the behaviour suite (mocha runs a describe's own tests before the nested ones).
  describe('a failover', () => {
    it('the master killed: 503 within a bounded time, never a check passed unchecked; after the promotion it recovers by itself, and every acknowledged revocation (logout, password change, refresh spent, session ended) is in force', async () => {
      const clock = new FrozenClock(Date.now());
      const store = new RedisRevocationStore(redis, { keyPrefix: uniquePrefix(), clock });
      const losses: StoreDataLoss[] = [];
      store.onDataLoss((loss) => losses.push(loss));
      await store.sessionEpoch();
      clock.advance(1000);
      const session = async (subject: string) =>
        sessionStates(subject, await store.sessionEpoch(), clock.now());
      const next = { expiresAtMs: clock.now() + 3_600_000 };
      const logout = await session('ada');
      await store.revokeFamily('ada', String(logout.access.familyId), clock.now() + 3_600_000);
      const cut = await session('bob');
      await store.revokeUserTokens('bob', clock.now(), clock.now() + 3_600_000);
      const spent = await session('cy');
      expect(await store.rotateRefreshToken(spent.refresh, next)).to.equal('rotated');
      const ended = await session('dee');
      await store.revokeFamily('dee', String(ended.access.familyId), clock.now() + 3_600_000);
      const live = await session('eve');

      const old = await sentinel.killMaster();
      const started = Date.now();
      const during = await Promise.allSettled([
        store.isRevoked(live.access),
        store.isRevoked(logout.access),
      ]);
      expect(Date.now() - started, 'bounded').to.be.below(2000);
      for (const outcome of during) {
        expect(outcome.status, 'never answered unchecked').to.equal('rejected');
        expect((outcome as PromiseRejectedResult).reason).to.be.instanceOf(StoreUnavailableError);
      }

      await sentinel.untilPromoted(old);
      await untilTrue(
        'the store answers through the new master',
        () =>
          store.isRevoked(live.access).then(
            () => true,
            () => false,
          ),
        { attempts: 200 },
      );
      expect(await store.isRevoked(live.access), 'a valid session').to.equal(false);
      expect(await store.isRevoked(logout.access), 'the logout').to.equal(true);
      expect(await store.isRevoked(cut.access), 'the password change').to.equal(true);
      expect(await store.checkRefreshToken(spent.refresh), 'the spent refresh token').to.equal(
        'reused',
      );
      expect(await store.isRevoked(ended.access), 'the session ended').to.equal(true);
      expect(losses, 'the promoted replica had the marker').to.deep.equal([]);
      // The new master has no replica: a revocation cannot be acknowledged, so it is a 503
      // (not a success a second failover could undo); the first finds out (its write may
      // stand, on the safe side), the next ones change nothing...
      const first = await store
        .revokeToken('eve', 'a-token-of-no-one', clock.now() + 60_000)
        .catch((error: unknown) => error);
      expect(first).to.be.instanceOf(StoreUnavailableError);
      const refused = await store
        .revokeToken('eve', live.access.jti, clock.now() + 60_000)
        .catch((error: unknown) => error);
      expect(refused).to.be.instanceOf(StoreUnavailableError);
      expect(await store.isRevoked(live.access), 'nothing changed').to.equal(false);
      // ...until the old master is back, as a replica of the new one: then it is done again.
      await sentinel.restartKilled();
      await untilTrue('a revocation is acknowledged again', () =>
        store.revokeToken('eve', live.access.jti, clock.now() + 60_000).then(
          () => true,
          () => false,
        ),
      );
      expect(await store.isRevoked(live.access)).to.equal(true);
    });
  });
});
