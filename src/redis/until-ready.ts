/** What waiting for a connection uses of an ioredis `Redis` (or a Cluster's node), typed by shape. */
export interface ReadyingClient {
  readonly status?: string;
  connect?(): Promise<void>;
  once?(event: 'ready', listener: () => void): unknown;
  removeListener?(event: 'ready', listener: () => void): unknown;
}

/**
 * Resolves `true` once the client is ready, or `false` after `waitMs` (its listener then
 * removed), or at once for a client closed for good (`end`). A client whose connection waits
 * for its first command (ioredis' `lazyConnect`, a Cluster's nodes; status `wait`) is told to
 * connect: one without an offline queue refuses that command instead of opening its
 * connection for it.
 */
export function untilReady(redis: ReadyingClient, waitMs: number): Promise<boolean> {
  if (redis.status === undefined || redis.status === 'ready') return Promise.resolve(true);
  // Closed for good: it will not be ready.
  if (redis.status === 'end') return Promise.resolve(false);
  return new Promise((done) => {
    const ready = () => {
      clearTimeout(timer);
      done(true);
    };
    const timer = setTimeout(() => {
      redis.removeListener?.('ready', ready);
      done(false);
    }, waitMs);
    timer.unref();
    redis.once?.('ready', ready);
    if (redis.status === 'wait') redis.connect?.().catch(() => undefined);
  });
}
