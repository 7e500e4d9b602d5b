import type { Cluster, Redis } from 'ioredis';
import { createRedisClient, createRedisClusterClient, createRedisSentinelClient } from '../../src';
import type { DemoSettings } from './demo-settings';

/** The demo's Redis, whichever of the three settings names it. */
export interface DemoRedis {
  client: Redis | Cluster;
  kind: 'redis' | 'redis-cluster' | 'redis-sentinel';
}

/**
 * A fail-fast client of the Redis the settings name (`REDIS_URL`, `REDIS_CLUSTER_NODES` or
 * `REDIS_SENTINELS` with `REDIS_SENTINEL_NAME`; the settings refuse more than one), or
 * `undefined` for none: then everything stays in memory.
 */
export function demoRedis(
  settings: DemoSettings,
  onError: (error: Error) => void,
): DemoRedis | undefined {
  if (settings.REDIS_URL !== undefined) {
    return { client: createRedisClient(settings.REDIS_URL, { onError }), kind: 'redis' };
  }
  if (settings.REDIS_CLUSTER_NODES !== undefined) {
    return {
      client: createRedisClusterClient(settings.REDIS_CLUSTER_NODES, { onError }),
      kind: 'redis-cluster',
    };
  }
  if (settings.REDIS_SENTINELS !== undefined && settings.REDIS_SENTINEL_NAME !== undefined) {
    const target = { sentinels: settings.REDIS_SENTINELS, name: settings.REDIS_SENTINEL_NAME };
    return { client: createRedisSentinelClient(target, { onError }), kind: 'redis-sentinel' };
  }
  return undefined;
}
