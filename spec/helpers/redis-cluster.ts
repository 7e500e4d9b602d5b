import type { ChildProcess } from 'node:child_process';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Cluster } from 'ioredis';
import { freePort } from './private-redis';

const run = promisify(execFile);

/**
 * A Redis Cluster of a test's own on loopback ports (never the shared 6379): three masters
 * with one replica each, made by `redis-cli --cluster create`, no persistence, in a folder
 * removed on `stop`.
 */
export class RedisCluster {
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
      // The cluster bus listens on port + 10000: both must be free and below 65536.
      if (port <= 55_000 && !ports.includes(port)) ports.push(port);
    }
    const processes = ports.map((port) =>
      spawn(
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
          '--dir',
          folder,
        ],
        { stdio: 'ignore' },
      ),
    );
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

  async stop(): Promise<void> {
    await Promise.all(
      this.processes.map(
        (child) =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGKILL');
          }),
      ),
    );
    rmSync(this.folder, { recursive: true, force: true });
  }

  /** Bounded wait for real processes to listen: not a clock-based rule under test. */
  private async untilAnswering(): Promise<void> {
    for (const port of this.ports) {
      for (let attempt = 0; ; attempt += 1) {
        const answer = await run('redis-cli', ['-p', String(port), 'ping']).catch(() => undefined);
        if (answer?.stdout.trim() === 'PONG') break;
        if (attempt > 50) throw new Error(`cluster node ${port} did not start`);
        await new Promise((next) => setTimeout(next, 100));
      }
    }
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
