import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Cluster, Redis } from 'ioredis';
import type { ClusterOptions } from 'ioredis';
import { StoreUnavailableError } from '../../src/errors/security-errors';
import { slotOfTag, userHashTag } from '../../src/redis/cluster-hash-tags';
import { createRedisClusterClient } from '../../src/revocation/redis-client';
import { RedisRevocationStore } from '../../src/revocation/redis-revocation-store';
import type { StoreDataLoss, TokenRevocationState } from '../../src/revocation/revocation-store';
import { untilTrue } from '../helpers/bounded-wait';
import { FrozenClock } from '../helpers/frozen-clock';
import { RedisCluster } from '../helpers/redis-cluster';
import { commandCalls } from '../helpers/redis-command-calls';
import { uniquePrefix } from '../helpers/real-servers';
import { rejection } from '../helpers/rejection';
import { ReplyDroppingProxy } from '../helpers/reply-dropping-proxy';
import { rotationTrials } from './resent-rotation';
import { describeRevocationStore } from './revocation-store-behaviour';

/** A Cluster client as an application writes one: ioredis' defaults. */
function ownCluster(nodes: { host: string; port: number }[], options: ClusterOptions): Cluster {
  return new Cluster(nodes, options);
}

/**
 * Issue 16: the revocation store on a real Redis Cluster (three masters, one replica each,
 * started by the spec on loopback ports). Every key of a user carries the user's hash tag, so
 * each script runs in one slot; checks go out as one MGET per slot; each slot has its marker;
 * revocations wait for a replica.
 */
describe('RedisRevocationStore on a real Redis Cluster (3 masters, 3 replicas)', function () {
  this.timeout(120_000);
  let cluster: RedisCluster | undefined;
  let client: Cluster;

  before(async function () {
    cluster = await RedisCluster.start();
    client = cluster.client();
    await client.ping();
  });
  after(async () => {
    client?.disconnect();
    await cluster?.stop();
  });

  function masterOf(key: string): Promise<number> {
    if (cluster === undefined) throw new Error('no cluster');
    return cluster.masterOf(key);
  }

  /** Every key under `pattern`, from every master. */
  async function keysOnMasters(pattern: string): Promise<string[]> {
    const found = await Promise.all(client.nodes('master').map((node) => node.keys(pattern)));
    return found.flat();
  }

  describeRevocationStore('RedisRevocationStore (Cluster)', (clock) => {
    const prefix = uniquePrefix();
    return Promise.resolve({
      store: new RedisRevocationStore(client, { keyPrefix: prefix, clock }),
      // The markers are the store's, not entries of the tokens it was told of.
      entries: async () => (await keysOnMasters(`${prefix}{*}:[^m]*`)).length,
      ageRotation: async (familyId, ms) => {
        const [key = ''] = await keysOnMasters(`${prefix}*:gen:${familyId}`);
        const entry = String(await client.get(key));
        const [generation, attempt, at] = entry.split(':');
        await client.set(key, `${generation}:${attempt}:${Number(at) - ms}`, 'KEEPTTL');
      },
    });
  });

  describe('Cluster specifics', () => {
    let prefix: string;
    let clock: FrozenClock;
    let store: RedisRevocationStore;
    let losses: StoreDataLoss[];
    beforeEach(async () => {
      prefix = uniquePrefix();
      clock = new FrozenClock(Date.now());
      store = new RedisRevocationStore(client, { keyPrefix: prefix, clock });
      losses = [];
      store.onDataLoss((loss) => losses.push(loss));
      await store.sessionEpoch();
      clock.advance(1000);
    });

    const token = (subject: string, overrides: Partial<TokenRevocationState> = {}) => ({
      jti: randomUUID(),
      subject,
      startedAtMs: clock.now(),
      ...overrides,
    });

    /** Users whose state lives on each of the three masters, `perMaster` of each. */
    async function usersOnEachMaster(perMaster: number): Promise<string[][]> {
      if (cluster === undefined) throw new Error('no cluster');
      const slotOwner = new Map<number, number>();
      for (const port of await cluster.masters()) {
        for (const slot of await cluster.slotsOf(port)) slotOwner.set(slot, port);
      }
      const byMaster = new Map<string, string[]>();
      for (let n = 0; [...byMaster.values()].filter((u) => u.length >= perMaster).length < 3; n++) {
        const user = `user-${n}`;
        const owner = slotOwner.get(slotOfTag(userHashTag(user)));
        const list = byMaster.get(String(owner)) ?? [];
        if (list.length < perMaster) list.push(user);
        byMaster.set(String(owner), list);
      }
      return [...byMaster.values()];
    }

    it('a user id with a lone surrogate has keys of its own, in the slot Redis computes: checked in one batch with others, it fails nothing', async () => {
      const odd = ['x\uD800', 'x\uDBFF', 'x\uFFFD'];
      expect(new Set(odd.map(userHashTag)).size, 'three ids, three tags').to.equal(3);
      for (const tag of odd.map(userHashTag)) {
        // Well formed: its UTF-8 bytes are the ones the slot was computed from.
        expect(Buffer.from(tag, 'utf8').toString('utf8'), tag).to.equal(tag);
      }
      // A victim in the slot the lone surrogate's tag lands in.
      const slot = slotOfTag(userHashTag('x\uD800'));
      let victim = '';
      for (let n = 0; victim === ''; n += 1) {
        if (slotOfTag(userHashTag(`victim-${n}`)) === slot) victim = `victim-${n}`;
      }
      const tokens = [token(victim), ...odd.map((subject) => token(subject))];
      await store.revokeToken('x\uD800', tokens[1]?.jti ?? '', clock.now() + 60_000);
      const verdicts = await Promise.all(tokens.map((t) => store.isRevoked(t)));
      expect(verdicts).to.deep.equal([false, true, false, false]);
    });

    it('a Cluster client that reads from replicas is refused: a replica may lack a revocation', () => {
      const reading = new Cluster(cluster?.nodes ?? [], { scaleReads: 'slave', lazyConnect: true });
      try {
        expect(() => new RedisRevocationStore(reading)).to.throw(/scaleReads/);
      } finally {
        reading.disconnect();
      }
    });

    it("a Cluster client whose own keyPrefix holds a brace is refused: it would be every key's hash tag", () => {
      for (const keyPrefix of ['{app}:', 'app}:']) {
        const tagged = new Cluster(cluster?.nodes ?? [], { keyPrefix, lazyConnect: true });
        try {
          expect(() => new RedisRevocationStore(tagged), keyPrefix).to.throw(/keyPrefix/);
        } finally {
          tagged.disconnect();
        }
      }
      const plain = new Cluster(cluster?.nodes ?? [], { keyPrefix: 'app:', lazyConnect: true });
      try {
        expect(() => new RedisRevocationStore(plain)).not.to.throw();
      } finally {
        plain.disconnect();
      }
    });

    it('after its client disconnected and connected again, acknowledged revocations work again (a writer of its own again)', async () => {
      const own = cluster!.client();
      await own.ping();
      const s = new RedisRevocationStore(own, { keyPrefix: prefix, clock });
      const first = token('reconnecting');
      await s.revokeToken('reconnecting', first.jti, clock.now() + 60_000);
      own.disconnect();
      await new Promise((next) => setTimeout(next, 100));
      await own.connect();
      const second = token('reconnecting');
      await s.revokeToken('reconnecting', second.jti, clock.now() + 60_000);
      expect(await store.isRevoked(second)).to.equal(true);
      own.disconnect();
    });

    it('writes one marker per slot at its start, and finds them all at the next', async () => {
      expect(await keysOnMasters(`${prefix}{*}:marker`)).to.have.length(16_384);
      const second = new RedisRevocationStore(client, { keyPrefix: prefix, clock });
      second.onDataLoss((loss) => losses.push(loss));
      await second.sessionEpoch();
      expect(losses).to.deep.equal([]);
    });

    it('answers the checks of one turn, for users on every master, with one MGET per slot, each for its own token', async () => {
      const users = (await usersOnEachMaster(3)).flat();
      const revoked = users.filter((_, i) => i % 3 === 0);
      const tokens = users.map((user) => token(user));
      for (const t of tokens) {
        if (revoked.includes(t.subject))
          await store.revokeToken(t.subject, t.jti, clock.now() + 60_000);
      }
      const sent: string[] = [];
      const original = client.sendCommand.bind(client);
      client.sendCommand = (command: { name: string }) => {
        sent.push(command.name);
        return original(command as never);
      };
      let answers: boolean[];
      try {
        answers = await Promise.all(tokens.map((t) => store.isRevoked(t)));
      } finally {
        client.sendCommand = original;
      }
      expect(answers).to.deep.equal(tokens.map((t) => revoked.includes(t.subject)));
      const slots = new Set(users.map((user) => slotOfTag(userHashTag(user))));
      expect(sent).to.deep.equal(Array.from({ length: slots.size }, () => 'mget'));
    });

    it("a master that lost its data (FLUSHALL on it): its users' old tokens are refused, revoked or not; the other masters' users are untouched; a new login works", async () => {
      const [lostUsers = [], keptUsers = []] = await usersOnEachMaster(2);
      const [revokedUser = '', validUser = ''] = lostUsers;
      const epoch = await store.sessionEpoch();
      clock.advance(1);
      const revoked = token(revokedUser, { familyId: randomUUID(), sessionEpoch: epoch });
      const valid = token(validUser, { familyId: randomUUID(), sessionEpoch: epoch });
      const elsewhere = keptUsers.map((user) =>
        token(user, { familyId: randomUUID(), sessionEpoch: epoch }),
      );
      await store.revokeFamily(revokedUser, String(revoked.familyId), clock.now() + 60_000);

      const owner = await masterOf(`{${userHashTag(validUser)}}`);
      const node = client.nodes('master').find((n) => n.options.port === owner);
      await node?.flushall();

      expect(await store.isRevoked(revoked), 'the revoked token').to.equal(true);
      expect(await store.isRevoked(valid), 'the valid token').to.equal(true);
      for (const t of elsewhere) expect(await store.isRevoked(t), t.subject).to.equal(false);
      expect(losses.length, 'reported').to.be.at.least(1);
      expect(losses.every((loss) => loss.detectedBy === 'check' && loss.parts === 1)).to.equal(
        true,
      );

      const later = await store.sessionEpoch();
      clock.advance(1);
      expect(
        await store.isRevoked(token(validUser, { familyId: randomUUID(), sessionEpoch: later })),
        'a new login',
      ).to.equal(false);
    });

    it('revocations asked for in one turn share one WAIT per master (a group commit), and each is in force', async () => {
      const users = (await usersOnEachMaster(20)).flat();
      /** How many WAITs each master has run so far. */
      const waits = () => commandCalls(client.nodes('master'), 'WAIT');
      const tokens = users.map((user) => token(user));
      for (let trial = 0; trial < 5; trial += 1) {
        const before = await waits();
        const jtis = tokens.map(() => randomUUID());
        await Promise.all(
          tokens.map((t, i) => store.revokeToken(t.subject, jtis[i] ?? '', clock.now() + 60_000)),
        );
        const after = await waits();
        expect(
          after.map((calls, i) => calls - (before[i] ?? 0)),
          '60 revocations, one WAIT on each master',
        ).to.deep.equal([1, 1, 1]);
        const revoked = await Promise.all(
          tokens.map((t, i) => store.isRevoked({ ...t, jti: jtis[i] ?? '' })),
        );
        expect(revoked.every(Boolean), 'every one in force').to.equal(true);
      }
    });

    for (const [whose, connect] of [
      ['createRedisClusterClient', createRedisClusterClient],
      ["an application's own Cluster (ioredis' defaults)", ownCluster],
    ] as const) {
      it(`a rotation whose reply was lost (its connection closed), with ${whose}, is sent again by the store and answers rotated behind its WAIT (many trials)`, async () => {
        if (cluster === undefined) throw new Error('no cluster');
        const proxies = await Promise.all(
          cluster.nodes.map((node) => ReplyDroppingProxy.start(node)),
        );
        // The nodes as the cluster names them, reached through the proxies.
        const natMap = Object.fromEntries(
          cluster.ports.map((port, i) => [
            `127.0.0.1:${port}`,
            { host: '127.0.0.1', port: proxies[i]?.port ?? 0 },
          ]),
        );
        const proxied = connect(
          proxies.map((proxy) => ({ host: '127.0.0.1', port: proxy.port })),
          { natMap },
        );
        try {
          await untilTrue('the proxied client ready', () =>
            Promise.resolve(proxied.status === 'ready'),
          );
          const rotating = new RedisRevocationStore(proxied, { keyPrefix: prefix, clock });
          await rotationTrials(rotating, clock, proxies, 10);
        } finally {
          proxied.disconnect();
          await Promise.all(proxies.map((proxy) => proxy.close()));
        }
      });
    }

    it('a revocation is answered once a replica has it; a replica that does not acknowledge it makes it a 503 within the wait', async () => {
      await store.revokeToken('ada', 'j1', clock.now() + 60_000);
      // Read from the replica itself, at once: the write was there before the answer.
      const [replica] = (await cluster?.replicasOf(await masterOf('{ada}'))) ?? [];
      const onReplica = new Redis({ port: replica, lazyConnect: true });
      try {
        await onReplica.connect();
        await onReplica.call('READONLY');
        expect(await onReplica.exists(`${prefix}{ada}:jti:j1`), 'on the replica').to.equal(1);
      } finally {
        onReplica.disconnect();
      }

      // A replica that stops answering (frozen) is still counted by its master: the
      // revocation cannot be acknowledged, and is a 503 within the wait, not a hang.
      if (replica === undefined || cluster === undefined) throw new Error('no replica');
      cluster.freeze(replica);
      try {
        const started = Date.now();
        expect(
          await rejection(store.revokeToken('ada', 'j2', clock.now() + 60_000)),
        ).to.be.instanceOf(StoreUnavailableError);
        expect(Date.now() - started).to.be.below(1000);
      } finally {
        cluster.resume(replica);
      }
      await store.revokeToken('ada', 'j3', clock.now() + 60_000);
    });
  });
});
