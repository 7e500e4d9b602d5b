import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'chai';
import { createRedisClusterClient } from '../../src/revocation/redis-client';
import { untilTrue } from '../helpers/bounded-wait';
import { RedisCluster } from '../helpers/redis-cluster';

/** How long a program with nothing left to do may take to exit. */
const EXIT_WITHIN_MS = 8000;

/**
 * Runs `closing-cluster-client.ts` in `mode`: did the process exit by itself once it had
 * closed its client, or was it still held open `EXIT_WITHIN_MS` later (then killed)?
 */
function closeAndExit(mode: string, cluster: RedisCluster): Promise<'exited' | 'held open'> {
  const child = spawn(
    process.execPath,
    [
      '-r',
      'ts-node/register/transpile-only',
      join(__dirname, 'closing-cluster-client.ts'),
      mode,
      ...cluster.nodes.map(({ port }) => String(port)),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((settle, fail) => {
    let timer: NodeJS.Timeout | undefined;
    const watch = setInterval(() => {
      if (timer !== undefined || !output.includes('closed\n')) return;
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        settle('held open');
      }, EXIT_WITHIN_MS);
    }, 20);
    child.on('exit', (code) => {
      clearInterval(watch);
      clearTimeout(timer);
      if (code === 0 && output.includes('closed\n')) settle('exited');
      else if (code !== null) fail(new Error(`exit ${code}: ${output}`));
    });
  });
}

/**
 * ioredis (5, and 6 before 6.1) arms a Cluster client's next periodic read of the slots when
 * the last one answers, even after the client was closed: a client closed while one is in flight holds the process
 * open for ever. The clients of `createRedisClusterClient`, and the store's own duplicates,
 * read the slots on a timer of ours instead.
 */
describe('Redis Cluster clients: the periodic read of the slots', function () {
  this.timeout(120_000);
  let cluster: RedisCluster;

  before(async () => {
    cluster = await RedisCluster.start();
  });
  after(async () => {
    await cluster?.stop();
  });

  it("ioredis 5's own, closed while a read is in flight, holds the process open (what is guarded against)", async () => {
    expect(await closeAndExit('ioredis5', cluster)).to.equal('held open');
  });

  it("ioredis 6.1's own lets the process exit (fixed there; the guard stays for 5 and 6.0)", async () => {
    expect(await closeAndExit('ioredis', cluster)).to.equal('exited');
  });

  it('a createRedisClusterClient client closed while a read is in flight lets the process exit', async () => {
    expect(await closeAndExit('ours', cluster)).to.equal('exited');
  });

  it("the revocation store's writer, closed with the application's client while it reads the slots, lets the process exit", async () => {
    expect(await closeAndExit('writer', cluster)).to.equal('exited');
  });

  it('a createRedisClusterClient client still reads the slots every interval, on its own', async () => {
    const client = createRedisClusterClient(cluster.nodes, { slotsRefreshInterval: 200 });
    try {
      let reads = 0;
      client.on('refresh', () => (reads += 1));
      await untilTrue('the client ready', () => Promise.resolve(client.status === 'ready'));
      const start = reads;
      await untilTrue('three periodic reads', () => Promise.resolve(reads >= start + 3));
      expect(client.options.slotsRefreshInterval, "ioredis' own is off").to.equal(0);
    } finally {
      client.disconnect();
    }
  });
});
