import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { Redis } from 'ioredis';
import { connectRedis } from './real-servers';

/** A port nobody listens on now. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

/** Whether a server can listen on `port` of 127.0.0.1 now. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

/**
 * A redis-server of a test's own, on its own port, that the test may kill, pause and start
 * again (the shared one must not be touched). No persistence, as on this machine kind.
 */
export class PrivateRedis {
  private process: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.process = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--enable-debug-command',
        'yes',
      ],
      { stdio: 'ignore' },
    );
    // Bounded wait for a real process to listen: not a clock-based rule under test.
    for (let attempt = 0; attempt < 50; attempt += 1) {
      try {
        const client = await connectRedis(this.url);
        client.disconnect();
        return;
      } catch {
        await new Promise((next) => setTimeout(next, 100));
      }
    }
    throw new Error('private redis-server did not start');
  }

  /** SIGKILL: Redis dies as in a crash. */
  async kill(): Promise<void> {
    const child = this.process;
    if (child === undefined || child.exitCode !== null) return;
    await new Promise<void>((done) => {
      child.once('exit', () => done());
      child.kill('SIGKILL');
    });
  }

  /** SIGSTOP: Redis freezes; commands sent meanwhile run when it is resumed. */
  freeze(): void {
    this.process?.kill('SIGSTOP');
  }

  /** SIGCONT: a frozen Redis goes on, with the commands queued in its sockets. */
  resume(): void {
    this.process?.kill('SIGCONT');
  }

  /** Makes the server unresponsive for `seconds` (DEBUG SLEEP), as a slow Redis would be. */
  async stall(seconds: number): Promise<void> {
    const client = await connectRedis(this.url);
    void client
      .call('DEBUG', 'SLEEP', String(seconds))
      .catch(() => undefined)
      .finally(() => client.disconnect());
    // Let the command reach the server before the caller measures.
    await new Promise((next) => setTimeout(next, 50));
  }
}

/** Bounded wait until a client of a (resumed or restarted) Redis answers again. */
export async function untilAnswering(redis: Redis): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    try {
      await redis.ping();
      return;
    } catch {
      await new Promise((next) => setTimeout(next, 50));
    }
  }
  throw new Error('Redis did not answer again');
}
