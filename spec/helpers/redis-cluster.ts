import type { ChildProcess } from 'node:child_process';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Cluster } from 'ioredis';
import { untilTrue } from './bounded-wait';
import { freePort, portIsFree } from './private-redis';
import { sigkill } from './sigkill';

const run = promisify(execFile);

/** What one `redis-cli` command answers on a node. */
async function cli(port: number, ...command: string[]): Promise<string> {
  return (await run('redis-cli', ['-p', String(port), ...command], { timeout: 5000 })).stdout;
}

/** One line of `CLUSTER NODES`: a node as the node asked sees it. */
interface NodeLine {
  id: string;
  port: number;
  flags: string[];
  masterId: string;
  slots: number[];
}

function parseNodes(text: string): NodeLine[] {
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [id = '', address = '', flags = '', masterId = '', , , , , ...slots] = line.split(' ');
      return {
        id,
        port: Number(address.split('@')[0]?.split(':')[1]),
        flags: flags.split(','),
        masterId,
        // `[slot->-id]` and `[slot-<-id]` are slots being migrated: their owner has not changed.
        slots: slots.filter((slot) => !slot.startsWith('[')).flatMap(slotRange),
      };
    });
}

function slotRange(text: string): number[] {
  const [first = 0, last = first] = text.split('-').map(Number);
  return Array.from({ length: last - first + 1 }, (_, index) => first + index);
}

/**
 * A Redis Cluster of a test's own on loopback ports (never the shared 6379): three masters
 * with one replica each, made by `redis-cli --cluster create`, no persistence, in a folder
 * removed on `stop`. Specs of faults kill a master (`killMaster`, `untilPromoted`) or move
 * slots under load (`reshard`).
 */
export class RedisCluster {
  private readonly killed = new Set<number>();
  /** A killed master's replicas and slots, as they were just before the kill. */
  private readonly killedMasters = new Map<number, { replicas: number[]; slots: number[] }>();

  private constructor(
    readonly ports: readonly number[],
    private readonly processes: ChildProcess[],
    private readonly folder: string,
  ) {}

  /** The nodes, as `host:port`, for an ioredis `Cluster` or `REDIS_CLUSTER_NODES`. */
  get nodes(): { host: string; port: number }[] {
    return this.ports.map((port) => ({ host: '127.0.0.1', port }));
  }

  static async start(): Promise<RedisCluster> {
    const folder = mkdtempSync(join(tmpdir(), 'fastcore-cluster-'));
    const ports: number[] = [];
    while (ports.length < 6) {
      const port = await freePort();
      // The cluster bus listens on port + 10000: both must be free and below 65536, else
      // the node exits at once.
      if (port > 55_000 || ports.includes(port) || ports.includes(port + 10_000)) continue;
      if (await portIsFree(port + 10_000)) ports.push(port);
    }
    const processes = ports.map((port) => startNode(port, folder));
    const cluster = new RedisCluster(ports, processes, folder);
    try {
      await cluster.untilAnswering();
      await run(
        'redis-cli',
        [
          '--cluster',
          'create',
          ...ports.map((port) => `127.0.0.1:${port}`),
          '--cluster-replicas',
          '1',
          '--cluster-yes',
        ],
        { timeout: 30_000 },
      );
      await cluster.untilOk();
      await cluster.untilReplicasInSync();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** A client of the whole cluster. */
  client(): Cluster {
    return new Cluster(this.nodes, { redisOptions: { maxRetriesPerRequest: 1 } });
  }

  /**
   * Starts a node killed by `killMaster` again, on its port and with its cluster config: it
   * comes back empty and joins as a replica of the one promoted in its place. Bounded wait
   * until it is in sync.
   */
  async restartKilled(port: number): Promise<void> {
    if (!this.killed.has(port)) throw new Error(`${port} was not killed`);
    this.processes[this.ports.indexOf(port)] = startNode(port, this.folder);
    this.killed.delete(port);
    this.killedMasters.delete(port);
    await untilTrue(`node ${port} is back as a replica in sync`, async () =>
      (await cli(port, 'info', 'replication')).includes('master_link_status:up'),
    );
  }

  /**
   * Puts `slot` half way through a migration from the master on `fromPort` to the one on
   * `toPort` (`CLUSTER SETSLOT … IMPORTING` there, `MIGRATING` here), and leaves it so: a
   * command for a key of it that the source lacks is answered `ASK`, to the target.
   */
  async startMigrating(slot: number, fromPort: number, toPort: number): Promise<void> {
    const [fromId, toId] = [await this.nodeId(fromPort), await this.nodeId(toPort)];
    await cli(toPort, 'cluster', 'setslot', String(slot), 'importing', fromId);
    await cli(fromPort, 'cluster', 'setslot', String(slot), 'migrating', toId);
  }

  /** The keys the node on `port` holds in `slot`. */
  async keysInSlot(port: number, slot: number): Promise<string[]> {
    const listed = await cli(port, 'cluster', 'getkeysinslot', String(slot), '1000');
    return listed.split('\n').filter((key) => key !== '');
  }

  /** Moves `keys` from one master to the other (`MIGRATE`), as a migration does one batch. */
  async migrateKeys(fromPort: number, toPort: number, keys: readonly string[]): Promise<void> {
    await cli(fromPort, 'migrate', '127.0.0.1', String(toPort), '', '0', '5000', 'KEYS', ...keys);
  }

  /** Ends the migration `startMigrating` began: the rest of the keys move, the target owns it. */
  async finishMigrating(slot: number, fromPort: number, toPort: number): Promise<void> {
    const rest = await this.keysInSlot(fromPort, slot);
    if (rest.length > 0) await this.migrateKeys(fromPort, toPort, rest);
    const toId = await this.nodeId(toPort);
    for (const port of [toPort, fromPort, ...(await this.masters())]) {
      await cli(port, 'cluster', 'setslot', String(slot), 'node', toId);
    }
  }

  /** How many times the node on `port` answered the error `code` (`INFO errorstats`). */
  async errorCount(port: number, code: string): Promise<number> {
    const stats = await cli(port, 'info', 'errorstats');
    return Number(new RegExp(`errorstat_${code}:count=(\\d+)`).exec(stats)?.[1] ?? 0);
  }

  async stop(): Promise<void> {
    await Promise.all(this.processes.map(sigkill));
    rmSync(this.folder, { recursive: true, force: true });
  }

  /** The ports of the nodes not killed. */
  get livePorts(): number[] {
    return this.ports.filter((port) => !this.killed.has(port));
  }

  /** The node's id in the cluster (`CLUSTER MYID`). */
  async nodeId(port: number): Promise<string> {
    return (await cli(port, 'cluster', 'myid')).trim();
  }

  /** The slots a node serves, as it says itself (empty for a replica). */
  async slotsOf(port: number): Promise<number[]> {
    const myself = await this.myself(port);
    return myself.flags.includes('master') ? myself.slots : [];
  }

  /** The live nodes that are masters now, as each says itself. */
  async masters(): Promise<number[]> {
    const masters: number[] = [];
    for (const port of this.livePorts) {
      if ((await this.myself(port)).flags.includes('master')) masters.push(port);
    }
    return masters;
  }

  /** The port of the master that serves the slot of `key`. */
  async masterOf(key: string): Promise<number> {
    const [any] = this.livePorts;
    if (any === undefined) throw new Error('no node of the cluster is alive');
    const slot = Number(await cli(any, 'cluster', 'keyslot', key));
    for (const port of await this.masters()) {
      if ((await this.slotsOf(port)).includes(slot)) return port;
    }
    throw new Error(`no master serves slot ${slot}`);
  }

  /** SIGSTOP: the node on `port` freezes (its master still counts it as connected). */
  freeze(port: number): void {
    this.processes[this.ports.indexOf(port)]?.kill('SIGSTOP');
  }

  /** SIGCONT: a frozen node goes on. */
  resume(port: number): void {
    this.processes[this.ports.indexOf(port)]?.kill('SIGCONT');
  }

  /** The ports of the live replicas of the master on `port`, as it sees them. */
  async replicasOf(port: number): Promise<number[]> {
    const nodes = parseNodes(await cli(port, 'cluster', 'nodes'));
    const myself = nodes.find((node) => node.flags.includes('myself'));
    return nodes
      .filter((node) => node.masterId === myself?.id && !this.killed.has(node.port))
      .map((node) => node.port);
  }

  /** SIGKILLs the master on `port`, as in a crash, after noting its replicas and slots. */
  async killMaster(port: number): Promise<void> {
    const index = this.ports.indexOf(port);
    const child = this.processes[index];
    if (child === undefined) throw new Error(`${port} is not a node of this cluster`);
    const nodes = parseNodes(await cli(port, 'cluster', 'nodes'));
    const myself = nodes.find((node) => node.flags.includes('myself'));
    if (myself === undefined || !myself.flags.includes('master')) {
      throw new Error(`${port} is not a master`);
    }
    const replicas = nodes.filter((node) => node.masterId === myself.id).map((node) => node.port);
    this.killedMasters.set(port, { replicas, slots: myself.slots });
    await sigkill(child);
    this.killed.add(port);
  }

  /**
   * Bounded wait until one of the killed master's former replicas serves all its slots as a
   * master and every live node says `cluster_state:ok`; returns that replica's port.
   */
  async untilPromoted(port: number): Promise<number> {
    const killed = this.killedMasters.get(port);
    if (killed === undefined) throw new Error(`${port} was not killed by killMaster`);
    let promoted = 0;
    await untilTrue(
      `a replica of ${port} promoted`,
      async () => {
        promoted = 0;
        for (const replica of killed.replicas.filter((candidate) => !this.killed.has(candidate))) {
          const served = new Set(await this.slotsOf(replica));
          if (killed.slots.every((slot) => served.has(slot))) promoted = replica;
        }
        if (promoted === 0) return false;
        for (const live of this.livePorts) {
          if (!(await cli(live, 'cluster', 'info')).includes('cluster_state:ok')) return false;
        }
        return true;
      },
      { attempts: 300 },
    );
    return promoted;
  }

  /**
   * Moves `slots` slots (the lowest the source serves) from one master to another with
   * `redis-cli --cluster reshard`, key by key with MIGRATE: clients may go on writing,
   * following MOVED and ASK. Resolves when redis-cli is done.
   */
  async reshard(fromPort: number, toPort: number, slots: number): Promise<void> {
    const [from, to] = await Promise.all([this.nodeId(fromPort), this.nodeId(toPort)]);
    await run(
      'redis-cli',
      [
        '--cluster',
        'reshard',
        `127.0.0.1:${fromPort}`,
        '--cluster-from',
        from,
        '--cluster-to',
        to,
        '--cluster-slots',
        String(slots),
        '--cluster-yes',
      ],
      { timeout: 60_000 },
    );
  }

  private async myself(port: number): Promise<NodeLine> {
    const myself = parseNodes(await cli(port, 'cluster', 'nodes')).find((node) =>
      node.flags.includes('myself'),
    );
    if (myself === undefined) throw new Error(`node ${port} does not describe itself`);
    return myself;
  }

  /** Bounded wait for real processes to listen: not a clock-based rule under test. */
  private async untilAnswering(): Promise<void> {
    for (const [index, port] of this.ports.entries()) {
      for (let attempt = 0; ; attempt += 1) {
        const answer = await run('redis-cli', ['-p', String(port), 'ping']).catch(() => undefined);
        if (answer?.stdout.trim() === 'PONG') break;
        // A port taken meanwhile makes the node exit at once: say so rather than time out.
        const exited = this.processes[index]?.exitCode ?? null;
        if (exited !== null) throw new Error(`cluster node ${port} exited with code ${exited}`);
        if (attempt > 50) throw new Error(`cluster node ${port} did not start`);
        await new Promise((next) => setTimeout(next, 100));
      }
    }
  }

  /**
   * Bounded wait until every replica's link to its master is up: before that a write is
   * acknowledged by no replica, and a killed master would lose it.
   */
  private async untilReplicasInSync(): Promise<void> {
    // Counted over all nodes: right after the creation, a node to be a replica still says
    // it is a master.
    await untilTrue('every replica in sync, every master with its replica', async () => {
      const infos = await Promise.all(this.ports.map((port) => cli(port, 'info', 'replication')));
      const inSync = infos.filter((info) => info.includes('master_link_status:up')).length;
      const served = infos.filter((info) => /connected_slaves:[1-9]/.test(info)).length;
      return inSync === this.ports.length / 2 && served === this.ports.length / 2;
    });
  }

  /** Bounded wait until every node says `cluster_state:ok`. */
  private async untilOk(): Promise<void> {
    for (const port of this.ports) {
      for (let attempt = 0; ; attempt += 1) {
        const info = await run('redis-cli', ['-p', String(port), 'cluster', 'info']);
        if (info.stdout.includes('cluster_state:ok')) break;
        if (attempt > 100) throw new Error(`cluster node ${port} is not ok`);
        await new Promise((next) => setTimeout(next, 100));
      }
    }
  }
}

/** A cluster node on `port`, its files in `folder`. */
function startNode(port: number, folder: string): ChildProcess {
  return spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      join(folder, `nodes-${port}.conf`),
      '--cluster-node-timeout',
      '2000',
      '--save',
      '',
      '--appendonly',
      'no',
      // A replica's first sync starts at once, not after the default pause for others.
      '--repl-diskless-sync-delay',
      '0',
      '--dir',
      folder,
    ],
    { stdio: 'ignore' },
  );
}
