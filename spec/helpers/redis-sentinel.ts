import type { ChildProcess } from 'node:child_process';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RedisOptions } from 'ioredis';
import { Redis } from 'ioredis';
import { untilTrue } from './bounded-wait';
import { freePort } from './private-redis';
import { sigkill } from './sigkill';

const run = promisify(execFile);

/** What one `redis-cli` command answers, a line per reply element. */
async function cli(port: number, ...command: string[]): Promise<string[]> {
  const { stdout } = await run('redis-cli', ['-p', String(port), ...command], { timeout: 5000 });
  return stdout.trim().split('\n');
}

/**
 * A Redis Sentinel deployment of a test's own on loopback ports (never the shared 6379): one
 * master, one replica and three sentinels (quorum 2), no persistence, in a folder removed on
 * `stop`. A master is judged down after one second, so a spec can kill it and see the
 * replica promoted within its timeout.
 *
 * @example
 * const sentinel = await RedisSentinel.start();
 * const client = sentinel.client();
 * const old = await sentinel.killMaster();
 * await sentinel.untilPromoted(old);
 */
export class RedisSentinel {
  /** The master's name, as the sentinels monitor it and ioredis asks for it. */
  readonly name = 'fastcore';
  private killed: number | undefined;

  private constructor(
    readonly sentinelPorts: readonly number[],
    private readonly servers: Map<number, ChildProcess>,
    private readonly sentinelProcesses: ChildProcess[],
    private readonly folder: string,
  ) {}

  /** The sentinels, for ioredis' `sentinels` option. */
  get sentinels(): { host: string; port: number }[] {
    return this.sentinelPorts.map((port) => ({ host: '127.0.0.1', port }));
  }

  /**
   * Resolves once the replica is in sync and every sentinel knows the replica and the two
   * other sentinels: from then on a killed master is failed over at once.
   */
  static async start(): Promise<RedisSentinel> {
    const folder = mkdtempSync(join(tmpdir(), 'fastcore-sentinel-'));
    const ports: number[] = [];
    while (ports.length < 5) {
      const port = await freePort();
      if (!ports.includes(port)) ports.push(port);
    }
    const [master, replica, ...sentinelPorts] = ports as [number, number, ...number[]];
    const deployment = new RedisSentinel(sentinelPorts, new Map(), [], folder);
    try {
      deployment.startServer(master);
      await untilAnswering(master);
      deployment.startServer(replica, master);
      await untilInSync(replica);
      for (const port of sentinelPorts) deployment.startSentinel(port, master);
      for (const port of sentinelPorts) await untilAnswering(port);
      await deployment.untilSentinelsReady();
    } catch (error) {
      await deployment.stop();
      throw error;
    }
    return deployment;
  }

  /**
   * A client of whichever node is master now, found through the sentinels. Its connection
   * errors while a master is down are expected and not logged: a command still fails with
   * its own error.
   */
  client(options: RedisOptions = {}): Redis {
    const client = new Redis({ sentinels: this.sentinels, name: this.name, ...options });
    client.on('error', () => undefined);
    return client;
  }

  /** The master's port, as the first sentinel that answers reports it. */
  async masterPort(): Promise<number> {
    for (const port of this.sentinelPorts) {
      const answer = await cli(port, 'sentinel', 'get-master-addr-by-name', this.name).catch(
        () => undefined,
      );
      if (answer?.length === 2) return Number(answer[1]);
    }
    throw new Error('no sentinel reports a master');
  }

  /** SIGKILLs the node that is master now, as in a crash, and returns its port. */
  async killMaster(): Promise<number> {
    const port = await this.masterPort();
    const child = this.servers.get(port);
    if (child === undefined) throw new Error(`the master ${port} is not a node of this deployment`);
    await sigkill(child);
    this.killed = port;
    return port;
  }

  /**
   * Bounded wait until every sentinel reports one master other than `oldPort` and that
   * node answers `ROLE` as a master; returns its port.
   */
  async untilPromoted(oldPort: number): Promise<number> {
    let promoted = 0;
    await untilTrue(
      `a replica promoted in place of ${oldPort}`,
      async () => {
        const reported = new Set<number>();
        for (const port of this.sentinelPorts) {
          const answer = await cli(port, 'sentinel', 'get-master-addr-by-name', this.name);
          reported.add(Number(answer[1]));
        }
        const [candidate] = [...reported];
        if (reported.size !== 1 || candidate === undefined || candidate === oldPort) return false;
        promoted = candidate;
        return (await cli(candidate, 'role'))[0] === 'master';
      },
      { attempts: 300 },
    );
    return promoted;
  }

  /**
   * Starts the node last killed again, as a replica of the master now, and waits until it
   * is in sync; returns its port.
   */
  async restartKilled(): Promise<number> {
    const port = this.killed;
    if (port === undefined) throw new Error('no node of this deployment was killed');
    this.startServer(port, await this.masterPort());
    await untilInSync(port);
    this.killed = undefined;
    return port;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.servers.values(), ...this.sentinelProcesses].map(sigkill));
    rmSync(this.folder, { recursive: true, force: true });
  }

  private startServer(port: number, masterPort?: number): void {
    const replicaOf =
      masterPort === undefined ? [] : ['--replicaof', '127.0.0.1', String(masterPort)];
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        // A replica's first sync starts at once, not after the default pause for others.
        '--repl-diskless-sync-delay',
        '0',
        '--dir',
        this.folder,
        ...replicaOf,
      ],
      { stdio: 'ignore' },
    );
    this.servers.set(port, child);
  }

  /** A sentinel rewrites its configuration file (its id, what it learns): it must be writable. */
  private startSentinel(port: number, masterPort: number): void {
    const file = join(this.folder, `sentinel-${port}.conf`);
    writeFileSync(
      file,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${this.folder}`,
        `sentinel monitor ${this.name} 127.0.0.1 ${masterPort} 2`,
        `sentinel down-after-milliseconds ${this.name} 1000`,
        // A failed election is tried again after twice this: keep it short.
        `sentinel failover-timeout ${this.name} 3000`,
        '',
      ].join('\n'),
    );
    this.sentinelProcesses.push(spawn('redis-server', [file, '--sentinel'], { stdio: 'ignore' }));
  }

  /** Bounded wait until every sentinel counts the replica and the two other sentinels. */
  private async untilSentinelsReady(): Promise<void> {
    for (const port of this.sentinelPorts) {
      await untilTrue(
        `sentinel ${port} knows the replica and the other sentinels`,
        async () => {
          const fields = await cli(port, 'sentinel', 'master', this.name);
          const field = (name: string): string | undefined => fields[fields.indexOf(name) + 1];
          return (
            field('flags') === 'master' &&
            field('num-slaves') === '1' &&
            field('num-other-sentinels') === String(this.sentinelPorts.length - 1)
          );
        },
        { attempts: 200 },
      );
    }
  }
}

/** Bounded wait for a real process to listen. */
function untilAnswering(port: number): Promise<void> {
  return untilTrue(`redis ${port} answers`, async () => (await cli(port, 'ping'))[0] === 'PONG', {
    attempts: 50,
  });
}

/** Bounded wait until a replica's link to its master is up (the initial sync is done). */
function untilInSync(port: number): Promise<void> {
  return untilTrue(`replica ${port} in sync`, async () =>
    (await cli(port, 'info', 'replication')).some(
      (line) => line.trim() === 'master_link_status:up',
    ),
  );
}
