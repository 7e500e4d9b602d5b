import { Cluster, Redis } from 'ioredis';
import type { ClusterOptions, RedisOptions, SentinelAddress } from 'ioredis';
import { takeOverSlotRefresh } from '../redis/cluster-slot-refresh';

/** Options of `createRedisClient`, on top of ioredis's own. */
export interface FailFastRedisOptions extends RedisOptions {
  /** Told of connection errors (ioredis emits them as events): log them, without the URL. */
  onError?: (error: Error) => void;
}

/** Options of `createRedisClusterClient`, on top of ioredis's own. */
export interface FailFastClusterOptions extends ClusterOptions {
  /** Told of connection errors (ioredis emits them as events): log them, without addresses. */
  onError?: (error: Error) => void;
}

/** A server's address, as `{ host, port }` or `'host:port'`. */
export type RedisAddress = { host: string; port: number } | string;

/**
 * What every fail-fast connection to one Redis server gets: no offline queue, a command
 * timeout, a bounded connect, no retry of a command, a reconnection that keeps trying.
 */
const FAIL_FAST: RedisOptions = {
  enableOfflineQueue: false,
  commandTimeout: 500,
  connectTimeout: 1000,
  maxRetriesPerRequest: 0,
  retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
};

/**
 * An ioredis client that fails fast instead of queueing: with Redis down or slow, a request
 * that needs it gets a `StoreUnavailableError` (503) within about half a second, not a hang
 * and not a pile of queued commands. It reconnects by itself, so the app recovers when
 * Redis returns. The URL may hold a password: it is never logged here.
 *
 * The client is the application's ioredis (a peer dependency, major 5 or 6): the same class
 * its own code imports. `RedisRevocationStore` and `redisLoginLimiters` also take a client
 * the application made itself.
 *
 * @example
 * ```ts
 * const redis = createRedisClient(process.env.REDIS_URL!, { onError: (e) => log.warn(e.name) });
 * ```
 */
export function createRedisClient(url: string, options: FailFastRedisOptions = {}): Redis {
  const { onError, ...redisOptions } = options;
  return listened(new Redis(url, { ...FAIL_FAST, ...redisOptions }), onError);
}

/** Without a listener ioredis prints every connection error itself. */
function listened<T extends Redis | Cluster>(client: T, onError?: (error: Error) => void): T {
  client.on('error', (error: Error) => onError?.(error));
  return client;
}

/**
 * A Redis Cluster client that fails fast the same way: a command for a node that is down, or
 * sent before the client knows the slots, is refused at once (503), never queued. It follows
 * MOVED and ASK (a reshard), waits briefly on TRYAGAIN and CLUSTERDOWN, and reads the slots
 * again every second and after every redirection, so it finds a promoted replica by itself
 * once a master died. Wait for its `ready` event before serving, or the first requests are
 * 503s.
 *
 * @example
 * ```ts
 * const cluster = createRedisClusterClient(process.env.REDIS_CLUSTER_NODES!.split(','));
 * configureSecurity({ revocationStore: new RedisRevocationStore(cluster) });
 * ```
 * @throws TypeError for an address that is not `host:port`.
 */
export function createRedisClusterClient(
  nodes: readonly RedisAddress[],
  options: FailFastClusterOptions = {},
): Cluster {
  const { onError, redisOptions, ...clusterOptions } = options;
  const client = takeOverSlotRefresh(
    new Cluster(nodes.map(redisAddress), {
      enableOfflineQueue: false,
      // Each redirection or wait stays well inside one command timeout.
      maxRedirections: 6,
      retryDelayOnMoved: 0,
      retryDelayOnTryAgain: 50,
      retryDelayOnClusterDown: 100,
      retryDelayOnFailover: 100,
      slotsRefreshTimeout: 500,
      slotsRefreshInterval: 1000,
      clusterRetryStrategy: (attempt) => Math.min(attempt * 100, 1000),
      ...clusterOptions,
      redisOptions: { ...FAIL_FAST, ...redisOptions },
    }),
  );
  // A node's own connection errors reach the same listener, never the console.
  client.on('node error', (error: Error) => onError?.(error));
  return listened(client, onError);
}

/** Where `createRedisSentinelClient` finds its master. */
export interface SentinelTarget {
  /** The sentinels, as `{ host, port }` or `'host:port'`. */
  sentinels: readonly RedisAddress[];
  /** The master's name in the sentinels' configuration. */
  name: string;
}

/**
 * A client of the master that Redis Sentinel names, failing fast like `createRedisClient`.
 * When the master dies it asks the sentinels again on every reconnection, so it moves to the
 * promoted replica by itself; meanwhile its commands fail at once (503).
 *
 * @example
 * ```ts
 * const redis = createRedisSentinelClient({ sentinels: ['10.0.0.5:26379'], name: 'mymaster' });
 * ```
 * @throws TypeError for an address that is not `host:port`, or no name.
 */
export function createRedisSentinelClient(
  target: SentinelTarget,
  options: FailFastRedisOptions = {},
): Redis {
  if (typeof target.name !== 'string' || target.name === '') {
    throw new TypeError('the Sentinel master name must be a non-empty string');
  }
  const { onError, ...redisOptions } = options;
  const sentinels: Partial<SentinelAddress>[] = target.sentinels.map(redisAddress);
  const client = new Redis({
    ...FAIL_FAST,
    sentinels,
    name: target.name,
    sentinelRetryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    ...redisOptions,
  });
  return listened(client, onError);
}

/**
 * `{ host, port }` from either form.
 * @throws TypeError for anything but a host name or address (IPv6 in brackets as a string) and
 *   a port from 1 to 65535.
 */
export function redisAddress(address: RedisAddress): { host: string; port: number } {
  const { host, port } =
    typeof address === 'string'
      ? splitAddress(address)
      : { host: address.host, port: address.port };
  if (
    typeof host !== 'string' ||
    host === '' ||
    !Number.isInteger(port) ||
    port < 1 ||
    port > 65_535
  ) {
    throw new TypeError('a Redis address must be host:port, with a port from 1 to 65535');
  }
  return { host, port };
}

function splitAddress(text: string): { host: string; port: number } {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9._-]+)):(\d{1,5})$/.exec(text.trim());
  return {
    host: match?.[1] ?? match?.[2] ?? '',
    port: match === null ? Number.NaN : Number(match[3]),
  };
}
