import { randomUUID } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { createRedisClusterClient, createRedisSentinelClient } from '../src';
import { RedisRevocationStore } from '../src/revocation/redis-revocation-store';
import { untilTrue } from '../spec/helpers/bounded-wait';
import { RedisCluster } from '../spec/helpers/redis-cluster';
import { commandCalls } from '../spec/helpers/redis-command-calls';
import { RedisSentinel } from '../spec/helpers/redis-sentinel';
import type { Row } from './stats';
import { interleaved, median } from './stats';

/** Logouts asked for at once: a burst, as after a mass logout or a deploy's refresh storm. */
const BURST = 96;

/** How many `WAIT`s the masters have run so far. */
async function waits(masters: readonly Redis[]): Promise<number> {
  return (await commandCalls(masters, 'WAIT')).reduce((sum, calls) => sum + calls, 0);
}

interface Target {
  name: string;
  store: RedisRevocationStore;
  masters: () => Redis[];
}

/** One logout: a revocation acknowledged by a replica (`WAIT`). */
function logout(store: RedisRevocationStore, user: number): Promise<void> {
  return store.revokeToken(`user-${user}`, randomUUID(), Date.now() + 60_000);
}

/**
 * Acknowledged revocations on a Redis Cluster (3 masters, 3 replicas) and through Sentinel
 * (1 master, 1 replica): a burst of `BURST` logouts at once (each answered when a replica has
 * it) against one logout alone and the same logouts one after the other, interleaved rounds.
 */
export async function acknowledgedRevocations(rounds: number): Promise<Row[]> {
  const cluster = await RedisCluster.start();
  const sentinel = await RedisSentinel.start();
  const clients: (Redis | Cluster)[] = [];
  try {
    const clusterClient = createRedisClusterClient(cluster.nodes);
    const sentinelClient = createRedisSentinelClient({
      sentinels: sentinel.sentinels,
      name: sentinel.name,
    });
    clients.push(clusterClient, sentinelClient);
    for (const client of clients) {
      await untilTrue('the client ready', () => Promise.resolve(client.status === 'ready'));
    }
    const targets: Target[] = [
      {
        name: 'Redis Cluster',
        store: new RedisRevocationStore(clusterClient, { keyPrefix: `bench-${randomUUID()}:` }),
        masters: () => clusterClient.nodes('master'),
      },
      {
        name: 'Sentinel',
        store: new RedisRevocationStore(sentinelClient, { keyPrefix: `bench-${randomUUID()}:` }),
        masters: () => [sentinelClient],
      },
    ];
    for (const { store } of targets) await store.sessionEpoch();
    const rows: Row[] = [];
    for (const target of targets) {
      const sent: Record<string, number[]> = { alone: [], burst: [], sequence: [] };
      const cases = ['alone', 'burst', 'sequence'] as const;
      const times = await interleaved(cases, rounds, async (name) => {
        const before = await waits(target.masters());
        const started = performance.now();
        if (name === 'alone') await logout(target.store, 0);
        if (name === 'burst') {
          await Promise.all(Array.from({ length: BURST }, (_, i) => logout(target.store, i)));
        }
        if (name === 'sequence') {
          for (let i = 0; i < BURST; i += 1) await logout(target.store, i);
        }
        const elapsed = performance.now() - started;
        sent[name]?.push((await waits(target.masters())) - before);
        return elapsed;
      });
      const alone = median(times.get('alone') ?? []);
      const label: Record<(typeof cases)[number], string> = {
        alone: 'one logout alone',
        burst: `${BURST} logouts at once`,
        sequence: `${BURST} logouts one after the other`,
      };
      for (const name of cases) {
        const ms = median(times.get(name) ?? []);
        rows.push({
          case: `${target.name}: ${label[name]}`,
          'ms until all answered (median)': ms,
          'vs one alone': ms / alone,
          'WAITs sent (median)': median(sent[name] ?? []),
        });
      }
    }
    return rows;
  } finally {
    for (const client of clients) client.disconnect();
    await cluster.stop();
    await sentinel.stop();
  }
}
