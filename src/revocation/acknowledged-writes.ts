import { StoreUnavailableError } from '../errors/security-errors';
import { keySlot } from '../redis/cluster-hash-tags';
import { clientKeyPrefix } from '../redis/client-key-prefix';
import { type ReadyingClient, untilReady } from '../redis/until-ready';
import { within } from '../redis/within-deadline';

/** A script the writes run: its Lua and how many of its arguments are keys. */
export interface WriteScript {
  readonly lua: string;
  readonly numberOfKeys: number;
}

/** What the writes use of the writer (an ioredis `Redis` or `Cluster`), typed by shape. */
export interface AcknowledgingClient {
  pipeline(): unknown;
}

/** How `AcknowledgedWrites` waits for replicas. */
export interface AcknowledgedWritesOptions {
  /** How many replicas must have a write before it is done (`WAIT`), 1 or more. */
  readonly replicas: number;
  /** How long a batch's `WAIT` waits for them. */
  readonly timeoutMs: number;
  /** How long a write waits out a slot being migrated (`TRYAGAIN`) before a 503. */
  readonly slotMigrationWaitMs: number;
  /**
   * How long one pipeline (the writes, `WAIT`, `ROLE`) may take before its writes are 503s,
   * whatever the client's own command timeout (it may have none).
   */
  readonly deadlineMs: number;
  /** Whether the writer is a Redis Cluster client (its writes are grouped by node). */
  readonly clustered: boolean;
  /** The scripts by name (sent as `EVAL`). */
  readonly scripts: Readonly<Record<string, WriteScript>>;
}

/** How often a write follows a slot moved (MOVED, ASK) before it gives up. */
const MAX_REDIRECTIONS = 16;

/** A write that a replica answered, followed as a MOVED (its slots read again). */
const DEMOTED = 'MOVED (the node is a replica now)';

/** The pause before a write is sent again to a slot being moved (ASK, TRYAGAIN). */
const REDIRECTION_PAUSE_MS = 40;

/** Most writes sent behind one `WAIT`. */
const MAX_WRITES_PER_WAIT = 64;

/** A monotonic clock for elapsed time (never a test's faked one). */
const monotonicNow = performance.now.bind(performance);

type Args = (string | number)[];

/** A pipeline of the writer. */
interface ScriptedPipeline {
  call(command: string, ...args: (string | number)[]): unknown;
  exec(): Promise<[Error | null, unknown][] | null>;
}

/** One write, from its first send to its answer. */
interface Write {
  readonly writer: AcknowledgingClient;
  readonly script: WriteScript;
  args: Args;
  readonly again: (() => Promise<Args>) | undefined;
  readonly slot: number;
  readonly started: number;
  redirections: number;
  /** Where an ASK sends it next: the node importing its slot, alone, behind `ASKING`. */
  asked: (AcknowledgingClient & ReadyingClient) | undefined;
  readonly done: (reply: unknown) => void;
  readonly fail: (error: Error) => void;
}

/**
 * The writes that must reach replicas before they are answered as done (a revocation, a
 * rotation): each write script, then `WAIT` and `ROLE` in the same pipeline, so on the node
 * that took the write, on the writer's own connection.
 *
 * `WAIT` blocks its connection until the replicas answer, and covers every write the
 * connection made before it. So the writes asked for in one turn of the event loop go to each
 * node in one pipeline behind one `WAIT` (a group commit), instead of one `WAIT` each queued
 * behind the others: a burst of logouts or refreshes costs one replica round trip per node.
 *
 * A write is done when `replicas` replicas have it: fewer is `StoreUnavailableError` (it may
 * be in force on the master, never answered as done), whatever the master counts as
 * connected, since a replica it lost sight of (cut off, resyncing) may still be promoted. A
 * master that counted fewer replicas at its last write is asked first (`ROLE`), and while it
 * still has too few the write is refused before it is sent: nothing changes.
 *
 * On a Redis Cluster, a write whose slot moved (MOVED), is moving (ASK), that a replica
 * answered (a demoted master the client still sends the slot to), or whose node's connection
 * was lost is followed, up to 16 times; one whose keys a migration has split (TRYAGAIN) is
 * sent again until `slotMigrationWaitMs` has passed. The writer follows nothing itself
 * (`maxRedirections: 0`): ioredis would send a redirected command of the pipeline alone to
 * the new node, away from the `WAIT` behind it.
 */
export class AcknowledgedWrites {
  /** Per slot (0 on a single Redis): how many replicas its master counted at the last write. */
  private readonly knownReplicas = new Map<number, number>();
  private pending: Write[] = [];

  constructor(private readonly options: AcknowledgedWritesOptions) {}

  /**
   * The longest a write may go on being sent again after its first send: the migration wait,
   * then each redirection's pipeline, wait for the node and new arguments, each bounded by the
   * deadline. What a script remembers of an attempt (a rotation's grace) is kept this long.
   */
  get longestLifeMs(): number {
    const { deadlineMs, slotMigrationWaitMs } = this.options;
    return slotMigrationWaitMs + (MAX_REDIRECTIONS + 2) * (3 * deadlineMs + REDIRECTION_PAUSE_MS);
  }

  /**
   * Runs `script` with `args` (its first argument a key) on `writer`, and answers its reply
   * once the replicas have it. `again` gives the arguments to send after a redirection, when
   * they are not the same.
   *
   * @throws TypeError when no script of the options is named `script` (before anything is sent).
   */
  async write(
    writer: AcknowledgingClient,
    script: string,
    args: Args,
    again?: () => Promise<Args>,
  ): Promise<unknown> {
    const written = this.options.scripts[script];
    if (written === undefined) throw new TypeError(`no write script is named ${script}`);
    const key = String(args[0]);
    const slot = this.options.clustered ? keySlot(key) : 0;
    const known = this.knownReplicas.get(slot);
    if (known !== undefined && known < this.options.replicas) {
      const connected = await this.replicasOfMaster(writer, key, slot);
      if (connected < this.options.replicas) throw new StoreUnavailableError();
    }
    return new Promise((done, fail) =>
      this.enqueue({
        writer,
        script: written,
        args,
        again,
        slot,
        started: monotonicNow(),
        redirections: 0,
        asked: undefined,
        done,
        fail,
      }),
    );
  }

  private enqueue(write: Write): void {
    if (this.pending.length === 0) setImmediate(() => this.flush());
    this.pending.push(write);
  }

  /** Sends what was asked for since the last turn: a pipeline per node, one `WAIT` each. */
  private flush(): void {
    const writes = this.pending;
    this.pending = [];
    const batches = new Map<AcknowledgingClient, Map<number | string, Write[]>>();
    for (const write of writes) {
      if (write.asked !== undefined) {
        void this.send(write.asked, [write], true);
        continue;
      }
      const ofWriter = batches.get(write.writer) ?? new Map<number | string, Write[]>();
      batches.set(write.writer, ofWriter);
      const group = this.groupOf(write);
      const batch = ofWriter.get(group) ?? [];
      if (batch.length >= MAX_WRITES_PER_WAIT) void this.send(write.writer, batch.splice(0), false);
      batch.push(write);
      ofWriter.set(group, batch);
    }
    for (const [writer, ofWriter] of batches) {
      for (const batch of ofWriter.values()) void this.send(writer, batch, false);
    }
  }

  /**
   * Which writes one pipeline may carry: on a Cluster, those whose slots the writer sends to
   * one node (ioredis' own grouping of its slots, which its pipelines check), else one slot.
   */
  private groupOf(write: Write): number | string {
    if (!this.options.clustered) return 0;
    const groups = (write.writer as { _groupsBySlot?: unknown })._groupsBySlot;
    const group: unknown = Array.isArray(groups) ? groups[write.slot] : undefined;
    return typeof group === 'number' ? group : `slot ${write.slot}`;
  }

  /** Sends one pipeline; whatever throws on the way is a 503 for its writes, never a hang. */
  private async send(
    source: AcknowledgingClient,
    writes: readonly Write[],
    asking: boolean,
  ): Promise<void> {
    try {
      await this.sendPipeline(source, writes, asking);
    } catch {
      // A write already answered keeps its answer.
      for (const write of writes) write.fail(new StoreUnavailableError());
    }
  }

  private async sendPipeline(
    source: AcknowledgingClient,
    writes: readonly Write[],
    asking: boolean,
  ): Promise<void> {
    const pipeline = source.pipeline() as ScriptedPipeline;
    for (const write of writes) {
      // EVAL, never ioredis' EVALSHA: on NOSCRIPT ioredis sends the script again by itself,
      // after the WAIT behind it, which then would not cover it.
      const { lua, numberOfKeys } = write.script;
      if (asking) pipeline.call('ASKING');
      const missing = asking ? prefixMissingOn(write.writer, source) : '';
      const args = write.args.map((arg, index) =>
        index < numberOfKeys ? `${missing}${arg}` : arg,
      );
      pipeline.call('EVAL', lua, numberOfKeys, ...args);
    }
    pipeline.call('WAIT', this.options.replicas, this.options.timeoutMs);
    pipeline.call('ROLE');
    let replies: [Error | null, unknown][] | null;
    try {
      replies = await within(pipeline.exec(), this.options.deadlineMs);
    } catch (error) {
      // Refused by ioredis before it was sent (the slots are no longer one node's): each on
      // its own. Any other failure may come after the node ran the scripts: never sent again.
      if (writes.length > 1 && isUnsent(error)) {
        for (const write of writes) void this.send(source, [write], asking);
      } else {
        for (const write of writes) write.fail(new StoreUnavailableError());
      }
      return;
    }
    const [waited, role] = replies?.slice(-2) ?? [];
    const acknowledged =
      waited?.[0] === null && role?.[0] === null && Number(waited[1]) >= this.options.replicas;
    // Behind `ASKING`, each write's reply is the second of its two.
    const each = asking ? 2 : 1;
    // A node the client still takes for the slot's master, a replica now (a master killed
    // and started again, before the client read the slots again). On a READONLY connection
    // (ioredis opens its replicas so) a script that wrote nothing ran there, and one that
    // wrote was refused (READONLY): either is followed as a MOVED.
    const demoted = this.answeredByReplica(role);
    if (role?.[0] === null && !demoted) {
      const connected = connectedReplicas(role[1]);
      // Only for the slots this node served: a write sent elsewhere (MOVED) says nothing of them.
      writes.forEach((write, index) => {
        if (replies?.[index * each + each - 1]?.[0] === null) {
          this.knownReplicas.set(write.slot, connected);
        }
      });
    }
    writes.forEach((write, index) => {
      const written = replies?.[index * each + each - 1];
      if (written === undefined || replies?.length !== writes.length * each + 2) {
        write.fail(new StoreUnavailableError());
      } else if (written[0] !== null) {
        // A replica's READONLY connection refused the script's write: the same demoted node.
        const demotion = this.options.clustered && written[0].message.startsWith('READONLY ');
        void this.redirected(write, demotion ? new Error(DEMOTED) : written[0]);
      } else if (demoted) {
        void this.redirected(write, new Error(DEMOTED));
      } else if (acknowledged) {
        write.done(written[1]);
      } else {
        write.fail(new StoreUnavailableError());
      }
    });
  }

  /**
   * A write the node refused, or whose Cluster connection was lost: followed (its slot moved,
   * or moving; the connection open again) and sent again, or a 503.
   */
  private async redirected(write: Write, error: Error): Promise<void> {
    const waiting = error.message.startsWith('TRYAGAIN ');
    const ask = /^ASK \d+ (\S+)$/.exec(error.message);
    const followed =
      (waiting && monotonicNow() - write.started < this.options.slotMigrationWaitMs) ||
      (!waiting &&
        (/^(MOVED|ASK|CLUSTERDOWN) /.test(error.message) ||
          (this.options.clustered && isConnectionLoss(error))) &&
        (write.redirections += 1) <= MAX_REDIRECTIONS);
    if (!followed) {
      write.fail(new StoreUnavailableError());
      return;
    }
    write.asked = ask === null ? undefined : clusterNode(write.writer, ask[1] ?? '');
    try {
      if (error.message.startsWith('MOVED ')) await refreshSlots(write.writer);
      else if (isConnectionLoss(error)) {
        // Maybe its master died: the slots are read again, and the connection given a moment.
        await within(refreshSlots(write.writer), this.options.deadlineMs);
        await pause(REDIRECTION_PAUSE_MS);
      } else if (write.asked === undefined) await pause(REDIRECTION_PAUSE_MS);
      else if (!(await untilReady(write.asked, this.options.deadlineMs))) {
        throw new StoreUnavailableError();
      }
      if (write.again !== undefined)
        write.args = await within(write.again(), this.options.deadlineMs);
    } catch {
      write.fail(new StoreUnavailableError());
      return;
    }
    this.enqueue(write);
  }

  /** Whether a Cluster node's `ROLE` reply (of a pipeline) says it is a replica now. */
  private answeredByReplica(role: [Error | null, unknown] | undefined): boolean {
    return this.options.clustered && role?.[0] === null && isReplica(role[1]);
  }

  /**
   * How many replicas the master serving `key` counts as connected now (`ROLE`, on its node),
   * recorded for `slot`. A node that no longer serves the slot (a failover the client has not
   * seen: `MOVED`, or a `ROLE` of a replica) is not counted: the slots are read again and the
   * new master asked, once; still none is a 503, with nothing written.
   */
  private async replicasOfMaster(
    writer: AcknowledgingClient,
    key: string,
    slot: number,
  ): Promise<number> {
    for (let asked = 0; asked < 2; asked += 1) {
      const pipeline = writer.pipeline() as ScriptedPipeline;
      // The keyed command routes the pipeline to the slot's node on a Cluster.
      pipeline.call('EXISTS', key);
      pipeline.call('ROLE');
      const replies = await within(pipeline.exec(), this.options.deadlineMs).catch(() => {
        throw new StoreUnavailableError();
      });
      const [routed, role] = replies ?? [];
      const moved = routed?.[0] instanceof Error && /^(MOVED|ASK) /.test(routed[0].message);
      if (moved || this.answeredByReplica(role)) {
        await refreshSlots(writer);
        continue;
      }
      if (routed === undefined || routed[0] !== null || role === undefined || role[0] !== null) {
        throw new StoreUnavailableError();
      }
      const connected = connectedReplicas(role[1]);
      this.knownReplicas.set(slot, connected);
      return connected;
    }
    throw new StoreUnavailableError();
  }
}

/** Whether ioredis refused a pipeline before sending it: its keys span several nodes. */
function isUnsent(error: unknown): boolean {
  return error instanceof Error && error.message.includes('same slots allocation group');
}

/** Resolves after `ms`, without holding the process open. */
function pause(ms: number): Promise<void> {
  return new Promise((next) => setTimeout(next, ms).unref());
}

/**
 * The `keyPrefix` a Cluster client puts before its keys that one of its nodes' own connections
 * does not (ioredis gives its nodes the `redisOptions` only, not the Cluster's own options):
 * added by hand to a write sent to that node itself. A node that puts another is a 503.
 */
function prefixMissingOn(writer: AcknowledgingClient, node: AcknowledgingClient): string {
  const wanted = clientKeyPrefix(writer);
  const own = clientKeyPrefix(node);
  if (own === wanted) return '';
  if (own === '') return wanted;
  throw new StoreUnavailableError();
}

/**
 * Whether a Cluster pipeline's command failed with its node's connection: closed after it was
 * sent (it may have run: every write may run twice), or not open to send it. The writer's
 * Cluster follows nothing by itself (`maxRedirections: 0`), so the write is sent again here.
 */
function isConnectionLoss(error: Error): boolean {
  return (
    error.message === 'Connection is closed.' || error.message.startsWith("Stream isn't writeable")
  );
}

/** Whether a node's `ROLE` says it is a replica. */
function isReplica(role: unknown): boolean {
  return Array.isArray(role) && role[0] === 'slave';
}

/** How many replicas a master's `ROLE` lists as connected (none for anything else). */
function connectedReplicas(role: unknown): number {
  if (!Array.isArray(role) || role[0] !== 'master') return 0;
  return Array.isArray(role[2]) ? role[2].length : 0;
}

/** One node of an ioredis `Cluster` by its address (`host:port`), as the client knows it. */
function clusterNode(
  redis: AcknowledgingClient,
  address: string,
): (AcknowledgingClient & ReadyingClient) | undefined {
  type Node = AcknowledgingClient &
    ReadyingClient & { readonly options?: { host?: string; port?: number } };
  type Located = { host?: string; port?: number };
  const cluster = redis as {
    nodes?: (role: 'all') => Node[];
    natMapper?: (address: string) => Located;
  };
  if (typeof cluster.nodes !== 'function') return undefined;
  // The address as the cluster names it; the client knows the node by its natMap'd address.
  const mapped = typeof cluster.natMapper === 'function' ? cluster.natMapper(address) : undefined;
  const wanted = mapped === undefined ? address : `${mapped.host ?? ''}:${mapped.port ?? ''}`;
  return cluster.nodes
    .call(redis, 'all')
    .find(({ options }) => `${options?.host ?? ''}:${options?.port ?? ''}` === wanted);
}

/** Has a Cluster client read the slots again (after a MOVED), within its refresh timeout. */
function refreshSlots(writer: AcknowledgingClient): Promise<void> {
  const refresh = (writer as { refreshSlotsCache?: (done: () => void) => void }).refreshSlotsCache;
  if (typeof refresh !== 'function') return Promise.resolve();
  return new Promise((done) => refresh.call(writer, () => done()));
}
