import type { Cluster, Redis } from 'ioredis';
import type { BaseAppSettings } from '../../src/config/base-app-settings';
import type { LoginLimiters } from '../../src/throttling/login-limiters';
import { memoryLoginLimiters, redisLoginLimiters } from '../../src/throttling/login-limiters';
import { connectRedis, dropKeys, redisAnswers, requireServer, uniquePrefix } from './real-servers';
import { RedisCluster } from './redis-cluster';

/** Where a spec's limiters keep their counts, and what they hold there now. */
export interface LimiterBackend {
  limiters(settings: BaseAppSettings): LoginLimiters;
  /** The names of the entries held now, per limiter kind. */
  entries(): Promise<Record<keyof LoginLimiters, string[]>>;
}

const KINDS = [
  'accountAddress',
  'account',
  'address',
  'registration',
  'knownAddress',
  'accountMail',
  'accountMailAddress',
] as const;

/**
 * Runs `body` on in-memory limiters, on real Redis (the shared server, under a key prefix of
 * each test's own, removed afterwards) and on a real Redis Cluster of its own.
 */
export function onEachLimiterBackend(body: (backend: () => LimiterBackend) => void): void {
  describe('in memory', () => {
    let made: LoginLimiters | undefined;
    body(() => ({
      limiters: (settings) => (made = memoryLoginLimiters(settings)),
      entries: () => Promise.resolve(memoryEntries(made)),
    }));
  });

  describe('on Redis', function () {
    let redis: Redis;
    let prefix: string;
    before(async function () {
      await requireServer(this, 'Redis', redisAnswers);
      redis = await connectRedis();
    });
    beforeEach(() => {
      prefix = uniquePrefix();
    });
    afterEach(() => dropKeys(redis, prefix));
    after(() => redis?.disconnect());
    body(() => ({
      limiters: (settings) => redisLoginLimiters(redis, settings, prefix),
      entries: async () => {
        const result = {} as Record<keyof LoginLimiters, string[]>;
        for (const kind of KINDS) result[kind] = await redis.keys(`${prefix}${kind}:*`);
        return result;
      },
    }));
  });

  // Issue 16: the limiters on a Redis Cluster of the spec's own (3 masters, 3 replicas).
  describe('on a Redis Cluster', function () {
    this.timeout(60_000);
    let cluster: RedisCluster | undefined;
    let client: Cluster;
    let prefix: string;
    before(async () => {
      cluster = await RedisCluster.start();
      client = cluster.client();
      await client.ping();
    });
    beforeEach(() => {
      prefix = uniquePrefix();
    });
    after(async () => {
      client?.disconnect();
      await cluster?.stop();
    });
    body(() => ({
      limiters: (settings) => redisLoginLimiters(client, settings, prefix),
      entries: async () => {
        const result = {} as Record<keyof LoginLimiters, string[]>;
        for (const kind of KINDS) {
          const perNode = await Promise.all(
            client.nodes('master').map((node) => node.keys(`${prefix}${kind}:*`)),
          );
          result[kind] = perNode.flat();
        }
        return result;
      },
    }));
  });
}

/** rate-limiter-flexible's memory store, seen from a test: the entries it holds. */
function memoryEntries(limiters: LoginLimiters | undefined): Record<keyof LoginLimiters, string[]> {
  const result = {} as Record<keyof LoginLimiters, string[]>;
  for (const kind of KINDS) {
    // Not public: read here only to prove that no entry was made.
    const limiter = limiters?.[kind] as unknown as
      { _memoryStorage?: { _storage: Map<string, unknown> } } | undefined;
    result[kind] = [...(limiter?._memoryStorage?._storage.keys() ?? [])];
  }
  return result;
}
