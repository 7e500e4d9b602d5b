/**
 * A program for `cluster-slot-refresh.spec.ts`: it opens a Redis Cluster client, closes it
 * while a periodic read of the slots is in flight, and then has nothing left to do: it must
 * exit by itself. Usage: `closing-cluster-client.ts <ioredis5|ioredis|ours|writer> <port>...`:
 * an ioredis 5 or 6 client as ioredis makes it, one of `createRedisClusterClient`, or the
 * revocation store's writer beside an application's own ioredis client.
 */
import { Cluster } from 'ioredis';
import { Cluster as Cluster5 } from 'ioredis5';
import { createRedisClusterClient } from '../../src/revocation/redis-client';
import { RedisRevocationStore } from '../../src/revocation/redis-revocation-store';

const [mode = '', ...ports] = process.argv.slice(2);
const nodes = ports.map((port) => ({ host: '127.0.0.1', port: Number(port) }));

// Each read of the slots answers 300 ms late, so that the close lands while one is in flight.
const reading = new Set<Cluster>();
for (const prototype of [Cluster.prototype, Cluster5.prototype]) {
  const clients = prototype as unknown as {
    getInfoFromNode: (this: Cluster, node: unknown, done: (error?: unknown) => void) => void;
  };
  const read = clients.getInfoFromNode;
  clients.getInfoFromNode = function (node, done) {
    reading.add(this);
    read.call(this, node, (error) =>
      setTimeout(() => {
        reading.delete(this);
        done(error);
      }, 300),
    );
  };
}

function ready(client: Cluster): Promise<void> {
  return client.status === 'ready'
    ? Promise.resolve()
    : new Promise((done) => client.once('ready', () => done()));
}

/** Resolves once a read of the slots is in flight on a client that `which` accepts. */
async function whileReading(which: (client: Cluster) => boolean): Promise<void> {
  while (![...reading].some(which)) await new Promise((next) => setTimeout(next, 5));
}

async function main(): Promise<void> {
  const client =
    mode === 'ours'
      ? createRedisClusterClient(nodes)
      : mode === 'ioredis5'
        ? (new Cluster5(nodes, { slotsRefreshInterval: 1000 }) as unknown as Cluster)
        : new Cluster(nodes, { slotsRefreshInterval: 1000 });
  client.on('error', () => undefined);
  await ready(client);
  if (mode === 'writer') {
    // The store's acknowledged writes go through a duplicate of the client: make it. The
    // store closes it when the application closes its client, here while the duplicate reads
    // the slots and the application's client does not (which would hold the process itself).
    const store = new RedisRevocationStore(client, { keyPrefix: 'closing:' });
    await store.revokeToken('user-1', 'jti-1', Date.now() + 60_000);
    await whileReading((other) => other !== client && !reading.has(client));
  } else {
    // Ready: the read of the start is over, this one is periodic.
    await whileReading((other) => other === client);
  }
  client.disconnect();
  process.stdout.write('closed\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(2);
});
