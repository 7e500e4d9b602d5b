import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import type { Cluster } from 'ioredis';
import { StoreUnavailableError } from '../../src/errors/security-errors';
import { slotOfTag, userHashTag } from '../../src/redis/cluster-hash-tags';
import { createRedisClusterClient } from '../../src/revocation/redis-client';
import { RedisRevocationStore } from '../../src/revocation/redis-revocation-store';
import type { StoreDataLoss } from '../../src/revocation/revocation-store';
import { untilTrue } from '../helpers/bounded-wait';
import { sessionStates } from '../helpers/session-states';
import { FrozenClock } from '../helpers/frozen-clock';
import { RedisCluster } from '../helpers/redis-cluster';
import { uniquePrefix } from '../helpers/real-servers';

/**
 * Issue 16, item 3, on a real Redis Cluster (three masters, one replica each): slots migrated
 * while refreshes and checks run, a master killed, and revocations that must survive it.
 */
describe('RedisRevocationStore under Redis Cluster faults (reshard, a master killed)', function () {
  this.timeout(180_000);
  let cluster: RedisCluster;
  let clientA: Cluster;
  let clientB: Cluster;
  let clock: FrozenClock;
  let a: RedisRevocationStore;
  let b: RedisRevocationStore;
  let losses: StoreDataLoss[];
  let prefix: string;

  beforeEach(async () => {
    cluster = await RedisCluster.start();
    clientA = createRedisClusterClient(cluster.nodes);
    clientB = createRedisClusterClient(cluster.nodes);
    await untilTrue('both cluster clients ready', () =>
      Promise.resolve(clientA.status === 'ready' && clientB.status === 'ready'),
    );
    clock = new FrozenClock(Date.now());
    prefix = uniquePrefix();
    a = new RedisRevocationStore(clientA, { keyPrefix: prefix, clock });
    b = new RedisRevocationStore(clientB, { keyPrefix: prefix, clock });
    losses = [];
    a.onDataLoss((loss) => losses.push(loss));
    b.onDataLoss((loss) => losses.push(loss));
    await a.sessionEpoch();
    await b.sessionEpoch();
    clock.advance(1000);
  });
  afterEach(async () => {
    clientA?.disconnect();
    clientB?.disconnect();
    await cluster?.stop();
  });

  /** A new session of `subject`: its access token's and its refresh token's standing. */
  async function session(subject: string) {
    return sessionStates(subject, await a.sessionEpoch(), clock.now());
  }

  /** `count` user ids whose state lives in `slots`. */
  function usersIn(slots: ReadonlySet<number>, count: number): string[] {
    const users: string[] = [];
    for (let n = 0; users.length < count; n += 1) {
      if (slots.has(slotOfTag(userHashTag(`user-${n}`)))) users.push(`user-${n}`);
    }
    return users;
  }

  it('a reshard while refreshes and checks run on two instances: no failure, exactly one winner per refresh token', async () => {
    const [from = 0, to = 0] = await cluster.masters();
    // The reshard moves the source's lowest slots: users there are the ones it moves.
    const moved = new Set((await cluster.slotsOf(from)).slice(0, 1500));
    const users = usersIn(moved, 24);
    const next = { expiresAtMs: clock.now() + 3_600_000 };
    let done = false;
    let rounds = 0;
    const failures: unknown[] = [];
    const winners: number[] = [];
    const load = (async () => {
      while (!done || rounds < 3) {
        rounds += 1;
        await Promise.all(
          users.map(async (user) => {
            let step = 'session';
            try {
              const { access, refresh } = await session(user);
              // Checks first: a losing rotation (reuse) revokes the family.
              step = 'check';
              const checks = await Promise.all([a.isRevoked(access), b.isRevoked(access)]);
              expect(checks).to.deep.equal([false, false]);
              step = 'rotation';
              const outcomes = await Promise.all(
                [a, b, a, b].map((store) => store.rotateRefreshToken(refresh, next)),
              );
              winners.push(outcomes.filter((outcome) => outcome === 'rotated').length);
              // The others see the spent token (reuse) or the family its reuse revoked.
              expect(outcomes.filter((o) => o === 'grace')).to.deep.equal([]);
            } catch (error) {
              failures.push(
                `${step}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
              );
            }
          }),
        );
      }
    })();
    await cluster.reshard(from, to, moved.size);
    done = true;
    await load;
    expect(failures.slice(0, 3)).to.deep.equal([]);
    expect(losses, 'no loss seen in a migration').to.deep.equal([]);
    expect(rounds).to.be.at.least(3);
    expect(
      winners.every((count) => count === 1),
      `winners: ${winners.join(',')}`,
    ).to.equal(true);
    expect(await cluster.slotsOf(to)).to.include.members([...moved].slice(0, 10));
  });

  /**
   * A user of a slot of the first master, its slot half way migrated to the second with its
   * marker moved (a rotation's keys are split: `TRYAGAIN`), and the family's next refresh token.
   */
  async function splitSlot() {
    const [from = 0, to = 0] = await cluster.masters();
    const slot = (await cluster.slotsOf(from))[0] ?? 0;
    const [user = ''] = usersIn(new Set([slot]), 1);
    const { refresh } = await session(user);
    const next = { expiresAtMs: clock.now() + 3_600_000 };
    expect(await a.rotateRefreshToken(refresh, next)).to.equal('rotated');
    // The next refresh token of the family: its generation key is on the source.
    const second = { ...refresh, jti: randomUUID(), generation: 1 };
    await cluster.startMigrating(slot, from, to);
    const keys = await cluster.keysInSlot(from, slot);
    const marker = keys.find((key) => !key.includes(':gen:'));
    expect(marker, `the slot's marker among ${keys.join(', ')}`).to.be.a('string');
    await cluster.migrateKeys(from, to, [marker ?? '']);
    return {
      second,
      next,
      tryAgains: () => cluster.errorCount(from, 'TRYAGAIN'),
      finish: () => cluster.finishMigrating(slot, from, to),
    };
  }

  it('a rotation whose keys a migration has split between two nodes (TRYAGAIN) waits until the slot has moved, past any count of tries, then rotates', async () => {
    // The wait is by time: long here, so that a busy machine finishing the migration slowly
    // (each step a redis-cli) cannot outlast it.
    const patient = new RedisRevocationStore(clientA, {
      keyPrefix: prefix,
      clock,
      slotMigrationWaitMs: 60_000,
    });
    await patient.sessionEpoch();
    const { second, next, tryAgains, finish } = await splitSlot();
    const before = await tryAgains();
    const rotation = patient.rotateRefreshToken(second, next);
    // Past the 16 tries a count of redirections allows.
    await untilTrue(
      'the rotation waits the migration out',
      async () => (await tryAgains()) >= before + 20,
    );
    await finish();
    expect(await rotation).to.equal('rotated');
  });

  it('a rotation still split when its wait for the migration ends answers 503 and changes nothing: once the slot has moved, the same token rotates', async () => {
    const hasty = new RedisRevocationStore(clientA, {
      keyPrefix: prefix,
      clock,
      slotMigrationWaitMs: 100,
    });
    await hasty.sessionEpoch();
    const { second, next, tryAgains, finish } = await splitSlot();
    const before = await tryAgains();
    let refused: unknown;
    await hasty.rotateRefreshToken(second, next).catch((error: unknown) => (refused = error));
    expect(refused).to.be.instanceOf(StoreUnavailableError);
    expect(await tryAgains()).to.be.above(before);
    await finish();
    expect(await b.rotateRefreshToken(second, next)).to.equal('rotated');
  });

  it("a revocation of a user whose slot has moved to another master since the writer read the slots is acknowledged by that master's replicas, not the old one's (its only replica frozen: a 503)", async () => {
    const [from = 0, to = 0] = await cluster.masters();
    const slot = (await cluster.slotsOf(from))[0] ?? 0;
    const [user = ''] = usersIn(new Set([slot]), 1);
    const { access } = await session(user);
    // The writer is made, and has read the slots: the user's slot is on `from`.
    await a.revokeToken(user, randomUUID(), clock.now() + 60_000);
    await cluster.startMigrating(slot, from, to);
    await cluster.finishMigrating(slot, from, to);
    const [toReplica = 0] = await cluster.replicasOf(to);
    cluster.freeze(toReplica);
    try {
      // ioredis 6.1 sends a pipelined command told MOVED to the new master by itself, while
      // the WAIT behind it stays on the old one, whose replica would acknowledge it.
      const outcome = await a
        .revokeToken(user, access.jti, clock.now() + 60_000)
        .catch((error: unknown) => error);
      expect(outcome).to.be.instanceOf(StoreUnavailableError);
    } finally {
      cluster.resume(toReplica);
    }
  });

  it('a revocation of a user whose slot is half way migrated follows ASK to the importing node, and is acknowledged there', async () => {
    const [from = 0, to = 0] = await cluster.masters();
    const slot = (await cluster.slotsOf(from))[0] ?? 0;
    const [user = ''] = usersIn(new Set([slot]), 1);
    const { access } = await session(user);
    await cluster.startMigrating(slot, from, to);
    // The jti key is new: the source lacks it and answers ASK.
    await a.revokeToken(user, access.jti, clock.now() + 60_000);
    const target = new Redis(to, '127.0.0.1');
    try {
      await target.asking();
      const keys = await target.keys('*:jti:*');
      expect(
        keys.some((key) => key.endsWith(`:jti:${access.jti}`)),
        'written on the target',
      ).to.equal(true);
    } finally {
      target.disconnect();
    }
  });

  it("the same through a Cluster client with a keyPrefix of its own: the write followed to the importing node is under the client's prefix", async () => {
    const prefixed = createRedisClusterClient(cluster.nodes, { keyPrefix: 'client-prefix:' });
    try {
      await untilTrue('the prefixed client ready', () =>
        Promise.resolve(prefixed.status === 'ready'),
      );
      const store = new RedisRevocationStore(prefixed, { keyPrefix: prefix, clock });
      await store.sessionEpoch();
      const [from = 0, to = 0] = await cluster.masters();
      const slot = (await cluster.slotsOf(from))[0] ?? 0;
      const [user = ''] = usersIn(new Set([slot]), 1);
      const { access } = sessionStates(user, await store.sessionEpoch(), clock.now());
      await cluster.startMigrating(slot, from, to);
      await store.revokeToken(user, access.jti, clock.now() + 60_000);
      const target = new Redis(to, '127.0.0.1');
      try {
        await target.asking();
        const keys = await target.keys('*:jti:*');
        expect(keys, 'written on the target, under both prefixes').to.include(
          `client-prefix:${prefix}{${userHashTag(user)}}:jti:${access.jti}`,
        );
      } finally {
        target.disconnect();
      }
      await cluster.finishMigrating(slot, from, to);
      expect(await store.isRevoked(access), 'read back through the client').to.equal(true);
    } finally {
      prefixed.disconnect();
    }
  });

  it('an instance that starts while a master is down serves the users of the other masters before any failover', async () => {
    const [victim = 0, ...rest] = await cluster.masters();
    const [elsewhere = ''] = usersIn(new Set(await cluster.slotsOf(rest[0] ?? 0)), 1);
    const [onVictim = ''] = usersIn(new Set(await cluster.slotsOf(victim)), 1);
    const { access } = await session(elsewhere);
    const waiting = await session(onVictim);
    await cluster.killMaster(victim);
    // A second instance of the app, starting now, on the same store.
    const restarted = new RedisRevocationStore(clientB, { keyPrefix: prefix, clock });
    expect(await restarted.isRevoked(access)).to.equal(false);
    // Still no failover: the killed master's users get 503, never an unchecked answer.
    const down = await restarted.isRevoked(waiting.access).catch((error: unknown) => error);
    expect(down, 'answered before the failover').to.be.instanceOf(StoreUnavailableError);
  });

  it('a master killed: its users get 503 within a bounded time (never a check passed unchecked), the others are served; after the promotion it recovers by itself, and every acknowledged revocation is still in force', async () => {
    const [victim = 0] = await cluster.masters();
    const onVictim = usersIn(new Set(await cluster.slotsOf(victim)), 5);
    const elsewhere = usersIn(
      new Set(
        (
          await Promise.all(
            (await cluster.masters()).filter((p) => p !== victim).map((p) => cluster.slotsOf(p)),
          )
        ).flat(),
      ),
      2,
    );
    const [loggedOut = '', passwordChanged = '', refreshed = '', ended = '', untouched = ''] =
      onVictim;
    const next = { expiresAtMs: clock.now() + 3_600_000 };

    // Each revocation answered as done before the kill.
    const logout = await session(loggedOut);
    await a.revokeFamily(loggedOut, String(logout.access.familyId), clock.now() + 3_600_000);
    const cut = await session(passwordChanged);
    await a.revokeUserTokens(passwordChanged, clock.now(), clock.now() + 3_600_000);
    const spent = await session(refreshed);
    expect(await a.rotateRefreshToken(spent.refresh, next)).to.equal('rotated');
    const endedSession = await session(ended);
    await b.revokeToken(ended, endedSession.access.jti, clock.now() + 3_600_000);
    await b.revokeFamily(ended, String(endedSession.access.familyId), clock.now() + 3_600_000);
    const live = await session(untouched);
    const others = await Promise.all(elsewhere.map((user) => session(user)));

    await cluster.killMaster(victim);
    const started = Date.now();
    const during = await Promise.allSettled([a.isRevoked(live.access), b.isRevoked(logout.access)]);
    expect(Date.now() - started, 'bounded').to.be.below(2000);
    for (const outcome of during) {
      expect(outcome.status, 'never answered unchecked').to.equal('rejected');
      expect((outcome as PromiseRejectedResult).reason).to.be.instanceOf(StoreUnavailableError);
    }
    for (const other of others) expect(await a.isRevoked(other.access)).to.equal(false);

    await cluster.untilPromoted(victim);
    // The same clients, no restart: they find the new master by themselves.
    await untilTrue(
      "the store answers for the killed master's slots again",
      () =>
        a.isRevoked(live.access).then(
          () => true,
          () => false,
        ),
      { attempts: 200 },
    );
    expect(await a.isRevoked(live.access), 'a valid session').to.equal(false);
    expect(await b.isRevoked(logout.access), 'the logout').to.equal(true);
    expect(await b.isRevoked(cut.access), 'the password change').to.equal(true);
    expect(await b.checkRefreshToken(spent.refresh), 'the spent refresh token').to.equal('reused');
    expect(await a.isRevoked(endedSession.access), 'the session ended').to.equal(true);

    // The promoted master has no replica: its revocations cannot be acknowledged. The first
    // finds out (a 503; the write may stand, on the safe side), the next ones are refused
    // before anything is written, while the other shards' are done...
    const first = await a
      .revokeToken(untouched, 'a-token-of-no-one', clock.now() + 60_000)
      .catch((error: unknown) => error);
    expect(first).to.be.instanceOf(StoreUnavailableError);
    const refused = await a
      .revokeToken(untouched, live.access.jti, clock.now() + 60_000)
      .catch((error: unknown) => error);
    expect(refused).to.be.instanceOf(StoreUnavailableError);
    expect(await a.isRevoked(live.access), 'nothing changed').to.equal(false);
    const [other] = others;
    if (other === undefined) throw new Error('no user elsewhere');
    await a.revokeToken(other.access.subject, other.access.jti, clock.now() + 60_000);
    expect(await b.isRevoked(other.access)).to.equal(true);
    // ...until the killed node is back, as a replica of the promoted one.
    await cluster.restartKilled(victim);
    await untilTrue('a revocation is acknowledged again', () =>
      a.revokeToken(untouched, live.access.jti, clock.now() + 60_000).then(
        () => true,
        () => false,
      ),
    );
    expect(await b.isRevoked(live.access)).to.equal(true);
    // Presented again, the spent refresh token rotates nothing (its reuse ended the family).
    expect(await b.rotateRefreshToken(spent.refresh, next), 'the spent refresh token').to.be.oneOf([
      'reused',
      'revoked',
    ]);
  });
});
