import { randomUUID } from 'node:crypto';
import DataLoader from 'dataloader';
import type { Clock } from '../clock/clock';
import { systemClock } from '../clock/clock';
import { ConfigurationError, StoreUnavailableError } from '../errors/security-errors';
import { CLUSTER_SLOTS, slotOfTag, slotTags, userHashTag } from '../redis/cluster-hash-tags';
import { clientKeyPrefix } from '../redis/client-key-prefix';
import { takeOverSlotRefresh } from '../redis/cluster-slot-refresh';
import { untilReady } from '../redis/until-ready';
import { within } from '../redis/within-deadline';
import { AcknowledgedWrites } from './acknowledged-writes';
import type { SlotRefreshingCluster } from '../redis/cluster-slot-refresh';
import { INSTANCE_CLOCK_SKEW_MS } from '../tokens/clock-lead';
import {
  CHECK_REFRESH,
  ENSURE_MARKER,
  MOVE_CUTOFF,
  NEXT_EPOCH,
  READ_EPOCH,
  REMEMBER_LONGEST,
  ROTATE_REFRESH,
  SERVER_TIME,
  UNDO_ROTATION,
} from './redis-scripts';
import { RedisSessionRegistry } from '../sessions/redis-session-registry';
import type {
  NextGeneration,
  RefreshCheckOutcome,
  RefreshRotateOutcome,
  RefreshTokenState,
  RevocationStore,
  StoreDataLoss,
  TokenRevocationState,
} from './revocation-store';

/** Options of `RedisRevocationStore`. */
export interface RedisRevocationStoreOptions {
  /** Prefix of every key, without `{` or `}`. Default `fastcore:revocation:`. */
  keyPrefix?: string;
  /**
   * The clock TTLs are computed from: the application's (`configureSecurity`'s `clock`).
   * Default: the wall clock.
   */
  clock?: Clock;
  /**
   * How long after it was sent a rotation may still take effect on the server; later (Redis
   * frozen, the client gone), it changes nothing. Must be shorter than the client's command
   * timeout by more than a reply's transit time. Default: half the client's
   * `commandTimeout` (a `createRedisClient` client: 250 ms), or 1000 ms without one.
   */
  rotationWindowMs?: number;
  /**
   * How many replicas must have a revocation (a logout, a cutoff, a session ended, a refresh
   * spent) before it is answered as done (`WAIT`): then it survives the loss of the master
   * that took it. Fewer within `acknowledgementTimeoutMs` is a 503, whatever the master counts
   * as connected (a replica cut off or resyncing is not counted, yet may be promoted). A
   * master known to have fewer replicas (after a failover, until its old master comes back as
   * a replica) refuses such writes with a 503 before writing anything. Default: 1 for a Redis
   * Cluster or a client through Sentinel, 0 (no wait) for a single Redis. Checks never wait.
   */
  replicaAcknowledgements?: number;
  /** How long a revocation waits for its replicas. Default 200 ms. */
  acknowledgementTimeoutMs?: number;
  /**
   * How long an acknowledged write (a revocation, a rotation) waits out a slot being migrated
   * on a Redis Cluster (`TRYAGAIN`: its keys are split between two nodes until the migration of
   * the slot ends) before a 503 that changed nothing. By time, not by count: how long one slot
   * takes depends on how busy the nodes are. Default 3000 ms.
   */
  slotMigrationWaitMs?: number;
}

/**
 * What `RedisRevocationStore` uses of an ioredis client: its `Redis` or `Cluster`, of major 5
 * or 6, fits (typed by shape, so the application's own client type-checks whichever it has).
 */
export interface RedisRevocationClient {
  defineCommand(name: string, definition: { lua: string; numberOfKeys?: number }): void;
  mget(keys: string[]): Promise<(string | null)[]>;
  exists(key: string): Promise<number>;
  /** The server's time: `[seconds, microseconds]`. */
  time(): Promise<unknown>;
  config(subcommand: 'GET', parameter: string): Promise<unknown>;
  pipeline(): unknown;
  /** `true` on an ioredis `Cluster`. */
  readonly isCluster?: boolean;
  /** A new connection like this one (ioredis' `duplicate`): acknowledged writes use it. */
  duplicate?(): RedisRevocationClient;
  on?(event: 'end' | 'error', listener: () => void): unknown;
  once?(event: 'ready' | 'end', listener: () => void): unknown;
  removeListener?(event: 'ready', listener: () => void): unknown;
  disconnect?(): void;
  readonly status?: string;
}

/** What `checkEvictionPolicy` found: safe, or not readable (`CONFIG` disabled by the host). */
export type EvictionPolicyCheck = 'safe' | 'unknown';

/** The store's scripts, registered on the client under names that are ours. */
interface Scripts {
  fastcoreRememberLongest(key: string, ttlMs: number): Promise<unknown>;
  fastcoreMoveCutoff(key: string, cutoffMs: number, epoch: number, ttlMs: number): Promise<unknown>;
  fastcoreNextEpoch(key: string): Promise<string>;
  fastcoreReadEpoch(key: string): Promise<string>;
  fastcoreEnsureMarker(key: string, appNowMs: number, lost: 'L' | ''): Promise<number>;
  fastcoreCheckRefresh(...args: [...RefreshKeys, ...RefreshArgs]): Promise<RefreshStanding>;
  fastcoreRotateRefresh(
    ...args: [
      ...RefreshKeys,
      graceKey: string,
      ...RefreshArgs,
      nextTtlMs: number,
      deadlineMs: number,
      attempt: string,
      graceKeptMs: number,
    ]
  ): Promise<RefreshRotateOutcome | 'lost' | 'late'>;
  fastcoreUndoRotation(generationKey: string, entry: string, previous: string): Promise<unknown>;
  fastcoreServerTime(key: string): Promise<unknown>;
}

type ScriptedRedis = RedisRevocationClient & Scripts;

/** A pipeline of the client, with the store's scripts on it (ioredis copies them). */
type ScriptedPipeline = { [name in keyof Scripts]: (...args: (string | number)[]) => unknown } & {
  call(command: string, ...args: (string | number)[]): unknown;
  exec(): Promise<[Error | null, unknown][] | null>;
};

/** What a refresh script answers: `lost` when the slot's marker was missing. */
type RefreshStanding = RefreshCheckOutcome | 'lost';

/** The keys of a refresh token's standing: jti, family, user cutoff, generation, marker. */
type RefreshKeys = [
  jtiKey: string,
  familyKey: string,
  userKey: string,
  generationKey: string,
  markerKey: string,
];

/** The arguments of a refresh token's standing: see `STANDING` in redis-scripts. */
type RefreshArgs = [
  startedAtMs: number,
  generation: number,
  familyTtlMs: number,
  sessionEpoch: number,
  reuseIntervalMs: number,
  appNowMs: number,
];

/** A monotonic clock for elapsed time (never a test's faked one). */
const monotonicNow = performance.now.bind(performance);

/** Most tokens checked by one batch (four keys each at most). */
const MAX_CHECK_BATCH = 256;

/** How many times a rotation is sent when it keeps arriving after its deadline. */
const LATE_ROTATION_SENDS = 3;

/** How long an acknowledged write waits out a slot being migrated, unless told. */
const SLOT_MIGRATION_WAIT_MS = 3000;

/** How many markers the start writes at once on a Redis Cluster. */
const MARKER_WRITES_AT_ONCE = 512;

/** The checks of one batch that read one slot's keys (all of them, on a single Redis). */
interface CheckGroup {
  marker: string;
  keys: string[];
  members: number[];
}

/**
 * Revocation state in Redis, shared by every instance of an app: a logout on one is seen by
 * all at once, and a refresh token is spent once across all of them. Every entry expires
 * with the tokens it concerns (`PX` = their remaining life, never 0 or negative); the
 * operations that must be atomic are Lua scripts.
 *
 * **Redis Cluster.** Every key of one user carries the user's hash tag
 * (`<prefix>{<user>}:jti:<id>`, `:fam:<id>`, `:gen:<id>`, `:cut`), so each script runs in one
 * slot. The session epoch (`<prefix>epoch`) has a slot of its own and is only read or moved
 * by single-key scripts.
 *
 * **Checks** are batched: the checks asked for within one event-loop turn go out at the turn's
 * end (DataLoader, scheduled with `setImmediate`), one `MGET` per slot (one in all on a single
 * Redis), sent together. A check costs at most one round trip, and waits one turn for it.
 *
 * **Lost data fails closed.** Each slot (on a single Redis: the store) has a marker that is
 * never deleted, written when the store starts where it is missing. A check, a refresh or a
 * start that finds a marker missing (a `FLUSHALL`, a restart without persistence, a failover
 * that lost it) writes it again as of now, and from then on every token of that slot issued
 * before is refused: its revocations may be gone. Everyone there logs in again; no revoked token
 * comes back. `onDataLoss` listeners hear of it (the configuration audits and reports it).
 *
 * **Acknowledged revocations.** With `replicaAcknowledgements` (default 1 on a Cluster or
 * through Sentinel), a revocation or a rotation is answered only once that many replicas
 * have it (`WAIT`, sent behind the write to the same node), so it survives a failover.
 *
 * Eviction: under a `maxmemory` limit any policy but `noeviction` may drop revocation entries
 * (they all have a TTL, so `volatile-*` policies too). Call `checkEvictionPolicy()` at start.
 *
 * Give it a client made for failing fast (`createRedisClient`, `createRedisClusterClient`,
 * `createRedisSentinelClient`): no offline queue, a command timeout. Any error of the client
 * becomes `StoreUnavailableError` (HTTP 503).
 *
 * @example
 * ```ts
 * const redis = createRedisClient(process.env.REDIS_URL!); // or the app's ioredis 5 or 6 client
 * configureSecurity({ revocationStore: new RedisRevocationStore(redis, { keyPrefix: 'app:' }) });
 * ```
 */
export class RedisRevocationStore implements RevocationStore {
  private readonly redis: ScriptedRedis;
  private readonly prefix: string;
  private readonly clock: Clock;
  private readonly checks: DataLoader<TokenRevocationState, boolean>;
  private readonly rotationWindowMs: number;
  private readonly clustered: boolean;
  private readonly replicas: number;
  private readonly acks: AcknowledgedWrites;

  private readonly lossListeners: ((loss: StoreDataLoss) => void)[] = [];
  /** Markers a token older than them was found under (`reportOlderThanMarker`). */
  private readonly olderThanMarker = new Set<string>();
  /** The start's marker writes: done once, tried again after a failure. */
  private started: Promise<void> | undefined;
  private isStarted = false;

  constructor(redis: RedisRevocationClient, options: RedisRevocationStoreOptions = {}) {
    const prefix = options.keyPrefix ?? 'fastcore:revocation:';
    if (typeof prefix !== 'string' || /[{}]/.test(prefix)) {
      throw new ConfigurationError(
        'keyPrefix',
        "must be a string without { or }: each user's keys carry a Redis Cluster hash tag of their own",
      );
    }
    this.prefix = prefix;
    this.clock = options.clock ?? systemClock;
    this.clustered = redis.isCluster === true;
    this.replicas = checkedCount(
      'replicaAcknowledgements',
      options.replicaAcknowledgements ?? (this.clustered || throughSentinel(redis) ? 1 : 0),
    );
    this.rotationWindowMs = options.rotationWindowMs ?? defaultRotationWindow(redis);
    const acknowledgementTimeoutMs = checkedCount(
      'acknowledgementTimeoutMs',
      options.acknowledgementTimeoutMs ?? 200,
    );
    this.acks = new AcknowledgedWrites({
      replicas: this.replicas,
      timeoutMs: acknowledgementTimeoutMs,
      // Past the rotation window twice over: a rotation the deadline gave up on changes
      // nothing when it reaches Redis later (it answers late).
      deadlineMs: acknowledgementTimeoutMs + 2 * this.rotationWindowMs,
      slotMigrationWaitMs: checkedCount(
        'slotMigrationWaitMs',
        options.slotMigrationWaitMs ?? SLOT_MIGRATION_WAIT_MS,
      ),
      clustered: this.clustered,
      scripts: SCRIPTS,
    });
    if (this.clustered && !readsFromMasters(redis)) {
      throw new ConfigurationError(
        'scaleReads',
        "must be 'master' on the Cluster client of a revocation store: a replica may not have a revocation yet",
      );
    }
    if (this.clustered && /[{}]/.test(clientKeyPrefix(redis))) {
      throw new ConfigurationError(
        'keyPrefix',
        "of the Cluster client must not hold { or }: it would be every key's hash tag, and one slot would hold every user",
      );
    }
    this.redis = withScripts(redis);
    this.checks = new DataLoader((tokens) => this.checkBatch(tokens), {
      cache: false,
      maxBatchSize: MAX_CHECK_BATCH,
      batchScheduleFn: (dispatch) => setImmediate(dispatch),
    });
  }

  /**
   * Where acknowledged writes go: a connection of their own when replicas must acknowledge
   * them, so that a `WAIT` never holds up the checks behind it on the same connection. Made
   * again after the client ended (a reconnect after `disconnect()`).
   */
  private get writer(): ScriptedRedis {
    return this.replicas === 0 ? this.redis : writerBeside(this.redis);
  }

  onDataLoss(listener: (loss: StoreDataLoss) => void): void {
    this.lossListeners.push(listener);
  }

  async revokeToken(subject: string, jti: string, expiresAtMs: number): Promise<void> {
    await this.remember(this.userKey(subject, 'jti', jti), expiresAtMs);
  }

  async revokeFamily(subject: string, familyId: string, expiresAtMs: number): Promise<void> {
    await this.remember(this.userKey(subject, 'fam', familyId), expiresAtMs);
  }

  /**
   * Two steps, so that the keys need not share a Redis Cluster slot: the epoch moves on,
   * then the user's cutoff takes it. Between the two, a session of the user still works; it
   * is over when this resolves.
   */
  async revokeUserTokens(subject: string, cutoffMs: number, expiresAtMs: number): Promise<void> {
    const ttl = this.ttl(expiresAtMs);
    if (ttl === undefined) return;
    await this.start();
    const epoch = Number(await this.call(() => this.redis.fastcoreNextEpoch(this.epochKey())));
    await this.acknowledged('fastcoreMoveCutoff', [
      this.userKey(subject, 'cut'),
      cutoffMs,
      epoch,
      ttl,
    ]);
  }

  async sessionEpoch(): Promise<number> {
    await this.start();
    return Number(await this.call(() => this.redis.fastcoreReadEpoch(this.epochKey())));
  }

  isRevoked(token: TokenRevocationState): Promise<boolean> {
    return this.isStarted
      ? this.checks.load(token)
      : this.start().then(() => this.checks.load(token));
  }

  async checkRefreshToken(token: RefreshTokenState): Promise<RefreshCheckOutcome> {
    await this.start();
    const standing = await this.call(() =>
      this.redis.fastcoreCheckRefresh(...this.refreshKeys(token), ...this.refreshArgs(token)),
    );
    return this.withoutLoss(standing);
  }

  async rotateRefreshToken(
    token: RefreshTokenState,
    next: NextGeneration,
  ): Promise<RefreshRotateOutcome> {
    await this.start();
    const nextTtl = this.ttl(next.expiresAtMs) ?? 1;
    // Names this rotation alone: another instance's rotation of the same token writes its own.
    const attempt = randomUUID();
    // Sent again after a redirection with a deadline of its own: the old one may have passed
    // while the slot was being followed.
    const rotation = async () => [
      ...this.refreshKeys(token),
      this.userKey(token.subject, 'grace', attempt),
      ...this.refreshArgs(token),
      nextTtl,
      await this.rotationDeadline(token),
      attempt,
      this.acks.longestLifeMs,
    ];
    let outcome: RefreshRotateOutcome | 'lost' | 'late' = 'late';
    try {
      // A rotation that reached Redis after its deadline changed nothing (`late`): sent again,
      // with a new deadline, a few times (a busy moment, a slot followed), then a 503.
      for (let sent = 0; outcome === 'late' && sent < LATE_ROTATION_SENDS; sent += 1) {
        outcome = (await this.acknowledged('fastcoreRotateRefresh', await rotation(), rotation)) as
          RefreshRotateOutcome | 'lost' | 'late';
      }
    } catch {
      // No answer in time (or no replica has it), yet Redis may have rotated (our event loop
      // stalled past the timeout while the answer waited): undo it, behind it on the same
      // connection. The refresh answers 503, so no one holds the new generation's tokens.
      // Bounded: on a connection that no longer answers, the 503 does not wait for it.
      await within(this.undoRotation(token, attempt), this.rotationWindowMs).catch(() => undefined);
      throw new StoreUnavailableError();
    }
    if (outcome === 'late') throw new StoreUnavailableError();
    return this.withoutLoss(outcome);
  }

  /**
   * The latest time at which a rotation sent now may take effect, in the server's own time
   * (no clock of ours is compared with Redis'): its time as read on the node of the user's
   * slot (a keyed script), plus what has passed here since the read was sent, plus the window.
   */
  private async rotationDeadline(token: RefreshTokenState): Promise<number> {
    const sent = monotonicNow();
    const serverNow = serverTimeMs(
      await this.call(() =>
        this.redis.fastcoreServerTime(this.userKey(token.subject, 'gen', token.familyId)),
      ),
    );
    return Math.floor(serverNow + (monotonicNow() - sent) + this.rotationWindowMs);
  }

  /**
   * A session registry on the same Redis and clock, its keys under this store's prefix
   * (`<prefix>sessions:`): what the configuration uses beside this store when it is given no
   * `sessionRegistry`, so that every instance sharing the store shares the sessions too.
   */
  sessionRegistry(): RedisSessionRegistry {
    return new RedisSessionRegistry(this.redis, {
      keyPrefix: `${this.prefix}sessions:`,
      clock: this.clock,
    });
  }

  /**
   * Refuses a server that may evict revocation state: `maxmemory` set with any policy but
   * `noeviction` (evicted entries would bring logged-out tokens back). On a Redis Cluster,
   * every master is asked. `unknown` when a server does not let us read its configuration
   * (managed offerings often rename `CONFIG`): check the policy there by hand.
   * @throws ConfigurationError for an evicting policy; StoreUnavailableError when Redis is down.
   */
  async checkEvictionPolicy(): Promise<EvictionPolicyCheck> {
    const servers = this.clustered ? masters(this.redis) : [this.redis];
    if (servers.length === 0) throw new StoreUnavailableError();
    const checks = await Promise.all(servers.map((server) => evictionPolicyOf(server)));
    return checks.every((check) => check === 'safe') ? 'safe' : 'unknown';
  }

  /**
   * Writes the markers that are missing (every slot's on a Cluster, the store's on a single
   * Redis) before the store's first answer, so that a session started afterwards is never
   * taken for older than its slot's data. Missing markers beside a session epoch that
   * survived are a loss (or an upgrade from a version without markers), and reported.
   */
  private start(): Promise<void> {
    this.started ??= this.writeMarkers().then(
      () => {
        this.isStarted = true;
      },
      (error: unknown) => {
        // Tried again on a request after a pause: not the whole start at every request.
        setTimeout(() => (this.started = undefined), START_RETRY_MS).unref();
        throw error;
      },
    );
    return this.started;
  }

  /**
   * On a Cluster, a node that does not answer does not hold up the start: its slots' markers
   * are written by the first check there (a marker found missing), as after a loss.
   */
  private async writeMarkers(): Promise<void> {
    // The writer connects just after the client: waited for then, not while the client
    // itself is not connected (each request would wait, for nothing).
    const writer = this.writer;
    const clientReady = this.redis.status === undefined || this.redis.status === 'ready';
    if (writer !== this.redis && clientReady) await untilReady(writer, WRITER_READY_WAIT_MS);
    // On a Cluster the epoch's node may be the one down: taken as kept then (a marker found
    // missing is reported as a loss), which errs on the safe side.
    const epochKept = await this.call(() => this.redis.exists(this.epochKey())).then(
      (found) => found === 1,
      (error: unknown) => {
        if (!this.clustered) throw error;
        return true;
      },
    );
    const markers = this.clustered
      ? slotTags().map((tag) => this.markerOfTag(tag))
      : [this.markerOfTag(undefined)];
    let written = 0;
    let failed = 0;
    const downNodes = new Set<string>();
    for (const { node, batch } of this.byNode(markers)) {
      try {
        if (downNodes.has(node)) throw new StoreUnavailableError();
        written += await this.ensureMarkers(batch, epochKept);
      } catch (error) {
        if (!this.clustered) throw error;
        downNodes.add(node);
        failed += batch.length;
      }
    }
    if (failed === markers.length) throw new StoreUnavailableError();
    if (written > 0 && (epochKept || written < markers.length - failed)) {
      this.reportLoss({ parts: written, detectedBy: 'start' });
    }
  }

  /**
   * Slot markers in batches of at most `MARKER_WRITES_AT_ONCE`, each of slots that one node
   * serves as the client knows them (ioredis' `slots`), so that a batch can be one pipeline.
   */
  private byNode(markers: readonly string[]): { node: string; batch: string[] }[] {
    const slots = (this.redis as { slots?: unknown }).slots;
    const groups = new Map<string, string[]>();
    markers.forEach((marker, slot) => {
      const nodes: unknown = Array.isArray(slots) ? slots[slot] : undefined;
      const node = Array.isArray(nodes) ? nodes.join(';') : `slot ${slot}`;
      const group = groups.get(node) ?? [];
      group.push(marker);
      groups.set(node, group);
    });
    const batches: { node: string; batch: string[] }[] = [];
    for (const [node, group] of groups) {
      for (let from = 0; from < group.length; from += MARKER_WRITES_AT_ONCE) {
        batches.push({ node, batch: group.slice(from, from + MARKER_WRITES_AT_ONCE) });
      }
    }
    return batches;
  }

  /**
   * Writes the missing ones among `markers` (one node's) in one pipeline; one by one when the
   * pipeline is refused (the slots moved since they were grouped). How many it wrote.
   */
  private async ensureMarkers(markers: readonly string[], lost: boolean): Promise<number> {
    if (markers.length === 1) return (await this.ensureMarker(markers[0], lost)) ? 1 : 0;
    const now = Math.floor(this.clock.now());
    const pipeline = this.redis.pipeline() as ScriptedPipeline;
    for (const marker of markers) pipeline.fastcoreEnsureMarker(marker, now, lost ? 'L' : '');
    // No answer at all (the node is down): the batch fails, not each of its markers in turn.
    const replies = await this.call(() => pipeline.exec());
    if (replies === null || replies.some(([error]) => error !== null)) {
      const wrote = await Promise.all(markers.map((marker) => this.ensureMarker(marker, lost)));
      return wrote.filter(Boolean).length;
    }
    return replies.filter(([, reply]) => Number(reply) === 1).length;
  }

  /**
   * Writes a missing marker as of now, marked as written for a loss when `lost`; `true` when
   * this call wrote it.
   */
  private async ensureMarker(marker: string, lost: boolean): Promise<boolean> {
    const reply = await this.call(() =>
      this.redis.fastcoreEnsureMarker(marker, Math.floor(this.clock.now()), lost ? 'L' : ''),
    );
    return Number(reply) === 1;
  }

  private reportLoss(loss: StoreDataLoss): void {
    for (const listener of this.lossListeners) listener(loss);
  }

  /** A refresh script's standing, with a loss it found reported (and its token refused). */
  private withoutLoss<T extends RefreshCheckOutcome | RefreshRotateOutcome>(
    standing: T | 'lost',
  ): T | 'revoked' {
    if (standing !== 'lost') return standing;
    this.reportLoss({ parts: 1, detectedBy: 'check' });
    return 'revoked';
  }

  /**
   * Runs one of the store's write scripts; when replicas must acknowledge it, through
   * `AcknowledgedWrites` (behind a `WAIT` on the node that took it, shared with the other
   * writes of the same turn).
   */
  private acknowledged(
    script: keyof Scripts,
    args: (string | number)[],
    /** The arguments to send again after a redirection, when they are not the same. */
    again?: () => Promise<(string | number)[]>,
  ): Promise<unknown> {
    const writer = this.writer;
    if (this.replicas === 0) {
      const client = writer as unknown as ScriptedPipeline;
      return this.call(() => client[script](...args) as Promise<unknown>);
    }
    return this.acks.write(writer, script, args, again);
  }

  /** Best effort: when it cannot be sent either, the retry of this refresh counts as reuse. */
  private async undoRotation(token: RefreshTokenState, attempt: string): Promise<void> {
    await this.writer
      .fastcoreUndoRotation(
        this.userKey(token.subject, 'gen', token.familyId),
        `${token.generation + 1}:${attempt}`,
        String(token.generation),
      )
      .catch(() => undefined);
  }

  private refreshArgs(token: RefreshTokenState): RefreshArgs {
    // A token already past its life cannot get here (it failed verification); one
    // millisecond keeps the arithmetic of an edge case valid.
    const familyTtl = this.ttl(token.familyExpiresAtMs) ?? 1;
    return [
      token.startedAtMs,
      token.generation,
      familyTtl,
      token.sessionEpoch ?? -1,
      token.reuseIntervalMs ?? 0,
      Math.floor(this.clock.now()),
    ];
  }

  private epochKey(): string {
    return `${this.prefix}epoch`;
  }

  private refreshKeys(token: RefreshTokenState): RefreshKeys {
    return [
      this.userKey(token.subject, 'jti', token.jti),
      this.userKey(token.subject, 'fam', token.familyId),
      this.userKey(token.subject, 'cut'),
      this.userKey(token.subject, 'gen', token.familyId),
      this.markerOf(token.subject),
    ];
  }

  private async remember(key: string, expiresAtMs: number): Promise<void> {
    const ttl = this.ttl(expiresAtMs);
    if (ttl === undefined) return;
    await this.start();
    await this.acknowledged('fastcoreRememberLongest', [key, ttl]);
  }

  /**
   * One `MGET` per slot for a batch of checks (one in all on a single Redis), sent together:
   * the slot's marker, then each token's jti, user cutoff and family (if any). A slot whose
   * node fails fails its own checks only.
   */
  private async checkBatch(tokens: readonly TokenRevocationState[]): Promise<(boolean | Error)[]> {
    const groups = new Map<string, CheckGroup>();
    tokens.forEach((token, index) => {
      const marker = this.markerOf(token.subject);
      let group = groups.get(marker);
      if (group === undefined) {
        group = { marker, keys: [marker], members: [] };
        groups.set(marker, group);
      }
      group.members.push(index);
      group.keys.push(
        this.userKey(token.subject, 'jti', token.jti),
        this.userKey(token.subject, 'cut'),
      );
      if (token.familyId !== undefined)
        group.keys.push(this.userKey(token.subject, 'fam', token.familyId));
    });
    const results = new Array<boolean | Error>(tokens.length);
    await Promise.all(
      [...groups.values()].map(async (group) => {
        try {
          const values = await this.call(() => this.redis.mget(group.keys));
          const verdicts = await this.judge(group, values, tokens);
          group.members.forEach((index, i) => (results[index] = verdicts[i] ?? true));
        } catch (error) {
          const failure = error instanceof Error ? error : new StoreUnavailableError();
          for (const index of group.members) results[index] = failure;
        }
      }),
    );
    return results;
  }

  /** The verdicts of one slot's checks from its `MGET`; a missing marker refuses them all. */
  private async judge(
    group: CheckGroup,
    values: (string | null)[],
    tokens: readonly TokenRevocationState[],
  ): Promise<boolean[]> {
    const marker = values[0];
    if (marker === null || marker === undefined) {
      if (await this.ensureMarker(group.marker, true)) {
        this.reportLoss({ parts: 1, detectedBy: 'check' });
      }
      return group.members.map(() => true);
    }
    let next = 1;
    return group.members.map((index) => {
      const token = tokens[index];
      const jti = values[next++];
      const cutoff = values[next++];
      const family = token.familyId === undefined ? null : values[next++];
      if (jti !== null || family !== null) return true;
      if (isBeforeMarker(token, marker)) {
        this.reportOlderThanMarker(group.marker, marker);
        return true;
      }
      return cutoff !== null && cutoff !== undefined && isCut(token, cutoff);
    });
  }

  /**
   * A token older than its slot's marker, and not otherwise revoked: the store was in use
   * before the marker, so its data was lost, found now if no one reported it (a loss while no
   * instance ran, taken at the start for a new store). Once per marker.
   */
  private reportOlderThanMarker(markerKey: string, marker: string): void {
    // A marker written for a loss found: that loss was reported by whoever found it.
    if (marker.endsWith(':L')) return;
    const seen = `${markerKey}=${marker}`;
    if (this.olderThanMarker.has(seen) || this.olderThanMarker.size >= CLUSTER_SLOTS) return;
    this.olderThanMarker.add(seen);
    this.reportLoss({ parts: 1, detectedBy: 'check' });
  }

  /** Milliseconds left until `expiresAtMs`; `undefined` when none are (no entry is made). */
  private ttl(expiresAtMs: number): number | undefined {
    const ttl = Math.ceil(expiresAtMs - this.clock.now());
    return ttl > 0 ? ttl : undefined;
  }

  /** A key of one user's state: all of them in the user's slot. */
  private userKey(subject: string, kind: string, id?: string): string {
    const key = `${this.prefix}{${userHashTag(subject)}}:${kind}`;
    return id === undefined ? key : `${key}:${id}`;
  }

  /** The marker of the slot holding `subject`'s state (the store's one on a single Redis). */
  private markerOf(subject: string): string {
    if (!this.clustered) return this.markerOfTag(undefined);
    const tags = slotTags();
    return this.markerOfTag(tags[slotOfTag(userHashTag(subject))]);
  }

  private markerOfTag(tag: string | undefined): string {
    return tag === undefined ? `${this.prefix}marker` : `${this.prefix}{${tag}}:marker`;
  }

  private async call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch {
      throw new StoreUnavailableError();
    }
  }
}

/** How long the start waits for the writer's own connection (a 503 after, not a hang). */
const WRITER_READY_WAIT_MS = 1000;

/** How long a failed start stands before a request tries it again. */
const START_RETRY_MS = 1000;

/** The store's scripts: their Lua and how many of their arguments are keys. */
const SCRIPTS: Readonly<Record<keyof Scripts, { numberOfKeys: number; lua: string }>> = {
  fastcoreRememberLongest: { numberOfKeys: 1, lua: REMEMBER_LONGEST },
  fastcoreMoveCutoff: { numberOfKeys: 1, lua: MOVE_CUTOFF },
  fastcoreNextEpoch: { numberOfKeys: 1, lua: NEXT_EPOCH },
  fastcoreReadEpoch: { numberOfKeys: 1, lua: READ_EPOCH },
  fastcoreEnsureMarker: { numberOfKeys: 1, lua: ENSURE_MARKER },
  fastcoreCheckRefresh: { numberOfKeys: 5, lua: CHECK_REFRESH },
  fastcoreRotateRefresh: { numberOfKeys: 6, lua: ROTATE_REFRESH },
  fastcoreUndoRotation: { numberOfKeys: 1, lua: UNDO_ROTATION },
  fastcoreServerTime: { numberOfKeys: 1, lua: SERVER_TIME },
};

function withScripts(redis: RedisRevocationClient): ScriptedRedis {
  for (const [name, definition] of Object.entries(SCRIPTS)) redis.defineCommand(name, definition);
  return redis as ScriptedRedis;
}

/** The writer of each client: stores sharing a client share its connection. */
const writers = new WeakMap<RedisRevocationClient, ScriptedRedis>();

/**
 * A connection of the application's client for acknowledged writes (ioredis' `duplicate`),
 * one per client, closed when the client ends; the client itself when it cannot be duplicated.
 * A Cluster's copy follows no redirection by itself (`maxRedirections: 0`).
 */
function writerBeside(redis: ScriptedRedis): ScriptedRedis {
  if (typeof redis.duplicate !== 'function' || typeof redis.once !== 'function') return redis;
  const known = writers.get(redis);
  if (known !== undefined) return known;
  const copy =
    redis.isCluster === true
      ? // Redirections are followed by the acknowledged writes themselves: ioredis 6.1 sends a
        // pipelined command told MOVED or ASK on its own to the new node, while the WAIT and
        // ROLE behind it stay on the old one, which would then count the wrong replicas.
        (redis.duplicate as (nodes: unknown[], options: object) => RedisRevocationClient).call(
          redis,
          [],
          { maxRedirections: 0 },
        )
      : redis.duplicate();
  const writer = withScripts(
    redis.isCluster === true
      ? takeOverSlotRefresh(
          copy as RedisRevocationClient & SlotRefreshingCluster,
          redis as unknown as SlotRefreshingCluster,
        )
      : copy,
  );
  // Its connection errors are the client's own, which the application listens to.
  writer.on?.('error', () => undefined);
  const forget = () => {
    // A client connected again gets a writer of its own again.
    if (writers.get(redis) === writer) writers.delete(redis);
  };
  redis.once('end', () => {
    writer.disconnect?.();
    forget();
  });
  writer.once?.('end', forget);
  stopsWith(writer, redis);
  writers.set(redis, writer);
  return writer;
}

/**
 * Has `writer` stop reconnecting once `client` was closed by the application. ioredis emits no
 * `end` for a client closed while it waits to reconnect (Redis down): without this, the
 * writer would try for ever, and hold the process open.
 */
function stopsWith(writer: RedisRevocationClient, client: RedisRevocationClient): void {
  const options = (writer as { options?: Record<string, unknown> }).options;
  if (options === undefined) return;
  const closed = () =>
    client.status === 'end' || (client as { manuallyClosing?: unknown }).manuallyClosing === true;
  for (const name of ['retryStrategy', 'clusterRetryStrategy']) {
    const strategy = options[name];
    if (typeof strategy !== 'function') continue;
    options[name] = (...args: unknown[]): unknown =>
      closed() ? null : (strategy as (...a: unknown[]) => unknown)(...args);
  }
}

/** Whether a Cluster client reads from masters only (ioredis' `scaleReads`, default master). */
function readsFromMasters(redis: RedisRevocationClient): boolean {
  const scaleReads = (redis as { options?: { scaleReads?: unknown } }).options?.scaleReads;
  return scaleReads === undefined || scaleReads === 'master';
}

/** The count option `name`: a whole number, 0 or more. */
function checkedCount(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(`${name} must be a whole number, 0 or more`);
  }
  return value;
}

/** Whether an ioredis `Redis` was made to find its master through Sentinel. */
function throughSentinel(redis: RedisRevocationClient): boolean {
  const sentinels = (redis as { options?: { sentinels?: unknown } }).options?.sentinels;
  return Array.isArray(sentinels) && sentinels.length > 0;
}

/** The masters of an ioredis `Cluster`, as it knows them now. */
function masters(redis: RedisRevocationClient): RedisRevocationClient[] {
  const nodes = (redis as { nodes?: (role: 'master') => RedisRevocationClient[] }).nodes;
  return typeof nodes === 'function' ? nodes.call(redis, 'master') : [];
}

/** One server's eviction policy, as `checkEvictionPolicy` judges it. */
async function evictionPolicyOf(redis: RedisRevocationClient): Promise<EvictionPolicyCheck> {
  let reply: unknown;
  try {
    reply = await redis.config('GET', 'maxmemory*');
  } catch (error) {
    if (error instanceof Error && error.name === 'ReplyError') return 'unknown';
    throw new StoreUnavailableError();
  }
  const values = new Map<unknown, unknown>();
  if (Array.isArray(reply))
    for (let i = 0; i + 1 < reply.length; i += 2) values.set(reply[i], reply[i + 1]);
  const maxmemory = values.get('maxmemory');
  const policy = values.get('maxmemory-policy');
  if (typeof maxmemory !== 'string' || typeof policy !== 'string') return 'unknown';
  if (Number(maxmemory) === 0 || policy === 'noeviction') return 'safe';
  throw new ConfigurationError(
    'maxmemory-policy',
    `is ${policy} under a maxmemory limit: Redis may evict revocation entries, and revoked tokens would work again; use noeviction (or a Redis of its own without maxmemory)`,
  );
}

/** Whether a token was issued before its slot's marker (see `BEFORE_MARKER` in redis-scripts). */
function isBeforeMarker(token: TokenRevocationState, marker: string): boolean {
  const parts = /^(\d+):(\d+)(:L)?$/.exec(marker);
  if (parts === null) return true;
  const [, appMs, serverMs, lost] = parts;
  if (token.sessionEpoch !== undefined) return token.sessionEpoch < Number(serverMs);
  // Without a session, the token's time is its instance's clock, the marker's another's: after
  // a loss, one a little ahead must not pass a token issued before it.
  return token.startedAtMs < Number(appMs) + (lost === undefined ? 0 : INSTANCE_CLOCK_SKEW_MS);
}

/**
 * Half the client's command timeout, when it has one (ioredis keeps it in `options`, and a
 * `Cluster` its nodes' in `options.redisOptions`).
 */
function defaultRotationWindow(redis: RedisRevocationClient): number {
  const options = (
    redis as { options?: { commandTimeout?: unknown; redisOptions?: { commandTimeout?: unknown } } }
  ).options;
  const timeout = options?.commandTimeout ?? options?.redisOptions?.commandTimeout;
  return typeof timeout === 'number' && timeout > 0 ? Math.max(1, Math.floor(timeout / 2)) : 1000;
}

/** Whether a user cutoff (`<ms>:<epoch>`) ends the token: by its session's epoch, or its time. */
function isCut(token: TokenRevocationState, cutoff: string): boolean {
  const [cutoffMs, cutoffEpoch] = cutoff.split(':').map(Number);
  return token.sessionEpoch !== undefined
    ? token.sessionEpoch < (cutoffEpoch ?? 0)
    : token.startedAtMs <= (cutoffMs ?? 0);
}

/** `TIME`'s `[seconds, microseconds]` in milliseconds. */
function serverTimeMs(reply: unknown): number {
  const [seconds, micros] = Array.isArray(reply) ? reply.map(Number) : [];
  if (seconds === undefined || micros === undefined || !Number.isFinite(seconds + micros)) {
    throw new StoreUnavailableError();
  }
  return seconds * 1000 + micros / 1000;
}
