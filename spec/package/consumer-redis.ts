import type { Redis } from 'ioredis';
import { PrivateRedis } from '../helpers/private-redis';
import { connectRedis } from '../helpers/real-servers';
import { RedisCluster } from '../helpers/redis-cluster';
import { RedisSentinel } from '../helpers/redis-sentinel';

/**
 * A Redis deployment of the spec's own (loopback ports, never the shared 6379) as the
 * consumer app sees it: the environment that points the app at it, and what the spec reads or
 * does behind the app's back.
 */
export interface ConsumerRedis {
  /** The app's environment for it: `REDIS_URL`, `REDIS_CLUSTER_NODES` or `REDIS_SENTINELS`. */
  readonly env: Record<string, string>;
  /** The keys matching `pattern`, on every master. */
  keys(pattern: string): Promise<string[]>;
  /** Empties every master. */
  flush(): Promise<void>;
  /** A master and its replica, where the deployment has them (not on one Redis). */
  readonly failover?: {
    /** SIGKILLs the master serving `key`; resolves once a replica is promoted in its place. */
    killMaster(key: string): Promise<void>;
    /** Starts the killed node again, as the new master's replica; resolves once it is in sync. */
    restartKilled(): Promise<void>;
  };
  stop(): Promise<void>;
}

/** `work` on each of `ports`, with a client of its own; the answers in one list. */
async function onEachNode<T>(ports: number[], work: (redis: Redis) => Promise<T[]>): Promise<T[]> {
  return (await Promise.all(ports.map((port) => onNode(port, work)))).flat();
}

/** `work` with a client of the node on `port`, closed after. */
async function onNode<T>(port: number, work: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = await connectRedis(`redis://127.0.0.1:${port}`);
  try {
    return await work(redis);
  } finally {
    redis.disconnect();
  }
}

export async function singleRedis(): Promise<ConsumerRedis> {
  const server = await PrivateRedis.start();
  const client = await connectRedis(server.url);
  return {
    env: { REDIS_URL: server.url },
    keys: (pattern) => client.keys(pattern),
    flush: async () => void (await client.flushall()),
    stop: async () => {
      client.disconnect();
      await server.kill();
    },
  };
}

export async function clusterRedis(): Promise<ConsumerRedis> {
  const cluster = await RedisCluster.start();
  let killed = 0;
  return {
    env: {
      REDIS_CLUSTER_NODES: cluster.nodes.map(({ host, port }) => `${host}:${port}`).join(','),
    },
    keys: async (pattern) => onEachNode(await cluster.masters(), (redis) => redis.keys(pattern)),
    flush: async () =>
      void (await onEachNode(await cluster.masters(), async (redis) => [await redis.flushall()])),
    failover: {
      killMaster: async (key) => {
        killed = await cluster.masterOf(key);
        await cluster.killMaster(killed);
        await cluster.untilPromoted(killed);
      },
      restartKilled: () => cluster.restartKilled(killed),
    },
    stop: () => cluster.stop(),
  };
}

export async function sentinelRedis(): Promise<ConsumerRedis> {
  const sentinel = await RedisSentinel.start();
  return {
    env: {
      REDIS_SENTINELS: sentinel.sentinels.map(({ host, port }) => `${host}:${port}`).join(','),
      REDIS_SENTINEL_NAME: sentinel.name,
    },
    keys: async (pattern) => onNode(await sentinel.masterPort(), (redis) => redis.keys(pattern)),
    flush: async () =>
      void (await onNode(await sentinel.masterPort(), (redis) => redis.flushall())),
    failover: {
      // One master: whatever the key.
      killMaster: async () => void (await sentinel.untilPromoted(await sentinel.killMaster())),
      restartKilled: async () => void (await sentinel.restartKilled()),
    },
    stop: () => sentinel.stop(),
  };
}
