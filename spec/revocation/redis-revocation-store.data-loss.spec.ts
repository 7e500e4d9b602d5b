import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { RedisRevocationStore } from '../../src/revocation/redis-revocation-store';
import type { StoreDataLoss, TokenRevocationState } from '../../src/revocation/revocation-store';
import { sessionStates } from '../helpers/session-states';
import { INSTANCE_CLOCK_SKEW_MS } from '../../src/tokens/clock-lead';
import { FrozenClock } from '../helpers/frozen-clock';
import { PrivateRedis, untilAnswering } from '../helpers/private-redis';
import { connectRedis, redisAnswers, requireServer } from '../helpers/real-servers';

/**
 * Issue 16, item 4: a Redis that lost its data (a `FLUSHALL`, a restart without persistence)
 * must not bring revoked tokens back. The store's marker is gone, so every token issued before
 * is refused, on every instance, and a new login works. On a private redis-server (the shared
 * one is never flushed).
 */
describe('RedisRevocationStore: data lost behind its back fails closed (a private Redis)', function () {
  this.timeout(30_000);
  let server: PrivateRedis;
  let redisA: Redis;
  let redisB: Redis;
  let clock: FrozenClock;
  let a: RedisRevocationStore;
  let b: RedisRevocationStore;
  let losses: StoreDataLoss[];
  let prefix: string;

  before(async function () {
    await requireServer(this, 'redis-server', redisAnswers);
    server = await PrivateRedis.start();
  });
  after(async () => server?.kill());

  beforeEach(async () => {
    redisA = await connectRedis(server.url);
    redisB = await connectRedis(server.url);
    await redisA.flushall();
    clock = new FrozenClock(Date.now());
    losses = [];
    prefix = `loss-${randomUUID()}:`;
    a = new RedisRevocationStore(redisA, { keyPrefix: prefix, clock });
    b = new RedisRevocationStore(redisB, { keyPrefix: prefix, clock });
    a.onDataLoss((loss) => losses.push(loss));
    b.onDataLoss((loss) => losses.push(loss));
    // Two running instances: each has started (written or found the marker).
    await a.sessionEpoch();
    await b.sessionEpoch();
  });
  afterEach(() => {
    redisA.disconnect();
    redisB.disconnect();
  });

  /** A session's access token and refresh token, started now on instance `a`. */
  async function session(subject: string) {
    const epoch = await a.sessionEpoch();
    // Redis' clock past the session's start, so that a loss right after it comes later.
    while (serverMs(await redisA.time()) <= epoch) await redisA.ping();
    clock.advance(1);
    return sessionStates(subject, epoch, clock.now());
  }

  for (const [name, lose] of [
    ['FLUSHALL', () => redisA.flushall().then(() => undefined)],
    [
      'a restart without persistence',
      async () => {
        await server.kill();
        await server.start();
        await untilAnswering(redisA);
        await untilAnswering(redisB);
      },
    ],
  ] as const) {
    it(`after ${name}: an old revoked token and an old valid one are refused on both instances, and a new login works`, async () => {
      const revoked = await session('ada');
      const valid = await session('bob');
      const outside: TokenRevocationState = {
        jti: randomUUID(),
        subject: 'cy',
        startedAtMs: clock.now(),
      };
      await a.revokeFamily('ada', revoked.access.familyId as string, clock.now() + 3_600_000);
      expect(await b.isRevoked(revoked.access), 'revoked before the loss').to.equal(true);
      expect(await b.isRevoked(valid.access), 'valid before the loss').to.equal(false);
      expect(await b.isRevoked(outside), 'a token outside a session').to.equal(false);

      await lose();
      clock.advance(1000);

      expect(await a.isRevoked(revoked.access), 'the revoked token, on A').to.equal(true);
      expect(await b.isRevoked(revoked.access), 'the revoked token, on B').to.equal(true);
      expect(await b.isRevoked(valid.access), 'the valid token, on B').to.equal(true);
      expect(await a.isRevoked(valid.access), 'the valid token, on A').to.equal(true);
      expect(await a.isRevoked(outside), 'the token outside a session').to.equal(true);
      expect(await b.checkRefreshToken(valid.refresh), 'its refresh token').to.equal('revoked');
      expect(
        await a.rotateRefreshToken(revoked.refresh, { expiresAtMs: clock.now() + 60_000 }),
      ).to.equal('revoked');
      expect(losses, 'one instance found it, once').to.deep.equal([
        { parts: 1, detectedBy: 'check' },
      ]);

      // Outside a session, a token's time is its instance's clock: one issued within the
      // instances' clock skew after the loss is refused too, one issued later is not.
      const soon: TokenRevocationState = {
        jti: randomUUID(),
        subject: 'cy',
        startedAtMs: clock.now(),
      };
      expect(await a.isRevoked(soon), 'outside a session, just after the loss').to.equal(true);
      clock.advance(INSTANCE_CLOCK_SKEW_MS);
      const later: TokenRevocationState = { ...soon, jti: randomUUID(), startedAtMs: clock.now() };
      expect(await b.isRevoked(later), 'outside a session, after the skew').to.equal(false);

      const fresh = await session('bob');
      expect(await b.isRevoked(fresh.access), 'a new login, on B').to.equal(false);
      expect(await a.isRevoked(fresh.access), 'a new login, on A').to.equal(false);
      expect(
        await b.rotateRefreshToken(fresh.refresh, { expiresAtMs: clock.now() + 60_000 }),
      ).to.equal('rotated');
    });
  }

  it('a refresh is the first to meet the loss: refused, reported, and the marker is back', async () => {
    const valid = await session('dee');
    await redisA.flushall();
    expect(
      await b.rotateRefreshToken(valid.refresh, { expiresAtMs: clock.now() + 60_000 }),
    ).to.equal('revoked');
    expect(losses).to.deep.equal([{ parts: 1, detectedBy: 'check' }]);
    expect(await a.isRevoked(valid.access)).to.equal(true);
    expect(losses, 'reported once').to.have.length(1);
  });

  it('a store starting where the epoch survived but the marker did not reports the loss', async () => {
    await redisA.del(`${prefix}marker`);
    const late = new RedisRevocationStore(redisB, { keyPrefix: prefix, clock });
    const found: StoreDataLoss[] = [];
    late.onDataLoss((loss) => found.push(loss));
    await late.sessionEpoch();
    expect(found).to.deep.equal([{ parts: 1, detectedBy: 'start' }]);
  });

  it('a store whose first start meets a flushed Redis cannot tell it from a new one: it refuses what came before all the same, and reports the loss when it refuses such a token (once)', async () => {
    const valid = await session('fay');
    await redisA.flushall();
    const starting = new RedisRevocationStore(redisB, { keyPrefix: prefix, clock });
    const found: StoreDataLoss[] = [];
    starting.onDataLoss((loss) => found.push(loss));
    await starting.sessionEpoch();
    expect(found, 'the start took it for a new store').to.deep.equal([]);
    expect(await starting.isRevoked(valid.access)).to.equal(true);
    expect(await starting.isRevoked(valid.access)).to.equal(true);
    expect(found).to.deep.equal([{ parts: 1, detectedBy: 'check' }]);
  });

  it('an instance whose clock runs ahead cannot pass off a revoked token outside a session as issued after the loss', async () => {
    const ahead = new FrozenClock(clock.now() + 3_000);
    const fast = new RedisRevocationStore(redisA, { keyPrefix: prefix, clock: ahead });
    const token: TokenRevocationState = {
      jti: randomUUID(),
      subject: 'gus',
      startedAtMs: ahead.now(),
    };
    await fast.revokeToken('gus', token.jti, ahead.now() + 3_600_000);
    expect(await b.isRevoked(token)).to.equal(true);
    await redisA.flushall();
    clock.advance(500);
    for (let check = 0; check < 3; check += 1) {
      expect(await b.isRevoked(token), `check ${check} on the instance behind`).to.equal(true);
      expect(await fast.isRevoked(token), `check ${check} on the instance ahead`).to.equal(true);
    }
  });

  it('a first start on an empty Redis reports nothing, and refuses nothing issued after it', async () => {
    const { access } = await session('eve');
    expect(await b.isRevoked(access)).to.equal(false);
    expect(losses).to.deep.equal([]);
  });
});

/** `TIME`'s `[seconds, microseconds]` in whole milliseconds. */
function serverMs([seconds = 0, micros = 0]: (number | string)[]): number {
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}
