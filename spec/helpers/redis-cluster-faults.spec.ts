import { expect } from 'chai';
import type { Cluster } from 'ioredis';
import { untilTrue } from './bounded-wait';
import { requireRedisBinaries } from './redis-binaries';
import { RedisCluster } from './redis-cluster';

const WORKERS = 8;
const KEYS = 400;
const MOVED_SLOTS = 500;

// Issue 16: the Cluster harness's fault helpers themselves, so that a store spec failing
// over them or resharding under them fails for the store's reason, not the harness's.
describe('RedisCluster harness faults (Redis Cluster failover and resharding)', function () {
  this.timeout(60_000);
  let cluster: RedisCluster | undefined;
  let client: Cluster | undefined;

  before(async function () {
    await requireRedisBinaries(this);
    cluster = await RedisCluster.start();
    client = cluster.client();
    client.on('error', () => undefined);
  });

  after(async () => {
    client?.disconnect();
    await cluster?.stop();
  });

  it('a reshard moves slots while every GET on many keys returns what was just SET', async () => {
    const redis = client!;
    const keys = Array.from({ length: KEYS }, (_, index) => `reshard:${index}`);
    const from = await cluster!.masterOf(keys[0]);
    const [to] = (await cluster!.masters()).filter((port) => port !== from);
    const moving = (await cluster!.slotsOf(from)).slice(0, MOVED_SLOTS);
    const slotOf = new Map<string, number>();
    for (const key of keys) slotOf.set(key, Number(await redis.cluster('KEYSLOT', key)));
    const movingKeys = keys.filter((key) => moving.includes(slotOf.get(key)!));
    expect(movingKeys).to.not.be.empty;

    const last = new Map<string, string>();
    const wrong: string[] = [];
    let movingOps = 0;
    let resharding = true;
    // Each worker owns its keys, so what it reads back can only be what it wrote.
    const worker = async (id: number): Promise<void> => {
      for (let round = 0; resharding; round += 1) {
        for (let index = id; index < KEYS && resharding; index += WORKERS) {
          const key = keys[index];
          const value = `${round}:${id}`;
          try {
            await redis.set(key, value);
            last.set(key, value);
            const read = await redis.get(key);
            if (read !== value) wrong.push(`${key}: ${read} instead of ${value}`);
          } catch (error) {
            wrong.push(`${key}: ${(error as Error).message}`);
          }
          if (movingKeys.includes(key)) movingOps += 1;
        }
      }
    };
    const workers = Array.from({ length: WORKERS }, (_, id) => worker(id));
    try {
      await cluster!.reshard(from, to, MOVED_SLOTS);
    } finally {
      resharding = false;
    }
    await Promise.all(workers);

    expect(wrong).to.deep.equal([]);
    expect(movingOps).to.be.greaterThan(movingKeys.length);
    const served = new Set(await cluster!.slotsOf(to));
    expect(moving.every((slot) => served.has(slot))).to.be.true;
    expect(await cluster!.masterOf(movingKeys[0])).to.equal(to);
    for (const [key, value] of last) expect(await redis.get(key)).to.equal(value);
  });

  it("a killed master's replica takes over its slots and serves the replicated key", async () => {
    const redis = client!;
    const key = 'failover:key';
    await redis.set(key, 'kept');
    const port = await cluster!.masterOf(key);
    const master = redis.nodes('master').find((node) => node.options.port === port);
    // WAIT counts the replicas that acknowledged this connection's writes: the SET's own.
    expect(await master!.wait(1, 1000)).to.equal(1);

    await cluster!.killMaster(port);
    const promoted = await cluster!.untilPromoted(port);
    expect(promoted).to.not.equal(port);
    expect(await cluster!.masterOf(key)).to.equal(promoted);

    let read: string | null = null;
    await untilTrue(
      'the cluster client reads the key from the promoted replica',
      async () => (read = await redis.get(key)) !== null,
    );
    expect(read).to.equal('kept');
    expect(await redis.set(key, 'written after')).to.equal('OK');
    expect(await redis.get(key)).to.equal('written after');
  });
});
