/** What `takeOverSlotRefresh` uses of an ioredis `Cluster` (5 or 6), typed by shape. */
export interface SlotRefreshingCluster {
  readonly options: { slotsRefreshInterval?: number };
  readonly status: string;
  refreshSlotsCache(callback?: (error?: Error | null) => void): void;
  on(event: 'ready' | 'end', listener: () => void): unknown;
}

/** The interval of each client taken over (its own option then reads 0). */
const intervals = new WeakMap<object, number>();

/**
 * Has our timer, not ioredis', read a Cluster client's slots every `slotsRefreshInterval`.
 *
 * ioredis arms its next periodic refresh when the last one answers, even when the client was
 * closed meanwhile: a client closed while a refresh is in flight keeps a timer for ever, and
 * the process never exits. So ioredis' own is turned off (before the client is ready, when
 * ioredis reads the option) and this one runs instead: an interval started on `ready`, cleared
 * on `end`, asking only while the client is ready, and unref'd, so it never holds the process
 * open whatever state the client is left in.
 *
 * Call it on a client just made (`new Cluster`, `duplicate()`), before its `ready`; for a
 * duplicate, pass the client it copies as `copied`: it refreshes as often.
 */
export function takeOverSlotRefresh<T extends SlotRefreshingCluster>(
  cluster: T,
  copied: SlotRefreshingCluster = cluster,
): T {
  const every = intervals.get(copied) ?? cluster.options.slotsRefreshInterval;
  if (typeof every !== 'number' || !(every > 0)) return cluster;
  cluster.options.slotsRefreshInterval = 0;
  intervals.set(cluster, every);
  let timer: NodeJS.Timeout | undefined;
  cluster.on('ready', () => {
    timer ??= setInterval(() => {
      if (cluster.status === 'ready') cluster.refreshSlotsCache();
    }, every).unref();
  });
  cluster.on('end', () => {
    clearInterval(timer);
    timer = undefined;
  });
  return cluster;
}
