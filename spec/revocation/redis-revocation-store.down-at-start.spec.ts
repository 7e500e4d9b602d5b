import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { StoreUnavailableError } from '../../src/errors/security-errors';
import { createRedisClient, createRedisSentinelClient } from '../../src/revocation/redis-client';
import { RedisRevocationStore } from '../../src/revocation/redis-revocation-store';
import { FrozenClock } from '../helpers/frozen-clock';
import { untilTrue } from '../helpers/bounded-wait';
import { freePort } from '../helpers/private-redis';

/** The connections made from now on by `client.duplicate()` (the store's writer among them). */
function recordDuplicates(client: Redis): Redis[] {
  const duplicates: Redis[] = [];
  const duplicate = client.duplicate.bind(client);
  client.duplicate = (...args: Parameters<Redis['duplicate']>) => {
    const made = duplicate(...args);
    duplicates.push(made);
    return made;
  };
  return duplicates;
}

/**
 * A Redis that does not answer when the app starts (nothing listens on its port): each
 * request fails fast with a 503, the store's start is not run again at every request, and
 * nothing piles up (no listener per request on the writer's connection).
 */
describe('RedisRevocationStore: Redis down when the app starts', () => {
  it('answers each check with StoreUnavailableError at once, and leaks no listener', async () => {
    const client = createRedisClient(`redis://127.0.0.1:${await freePort()}`);
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const clock = new FrozenClock();
      const store = new RedisRevocationStore(client, { clock, replicaAcknowledgements: 1 });
      for (let request = 0; request < 15; request += 1) {
        const started = performance.now();
        const outcome = await store
          .isRevoked({ jti: randomUUID(), subject: 'u', startedAtMs: clock.now() })
          .catch((error: unknown) => error);
        expect(outcome).to.be.instanceOf(StoreUnavailableError);
        expect(performance.now() - started, `request ${request}`).to.be.below(500);
      }
      expect(client.listenerCount('end'), "the client's end listeners").to.be.at.most(2);
      expect(warnings.map((w) => w.name)).to.not.include('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
      client.disconnect();
    }
  });

  it("the writer's connection stops when the app closes its client while Redis is still down (nothing holds the process open)", async () => {
    const client = createRedisClient(`redis://127.0.0.1:${await freePort()}`);
    const duplicates = recordDuplicates(client);
    const clock = new FrozenClock();
    const store = new RedisRevocationStore(client, { clock, replicaAcknowledgements: 1 });
    await store.revokeToken('u', randomUUID(), clock.now() + 60_000).catch(() => undefined);
    expect(duplicates, 'a writer was made').to.have.length(1);
    // Closed while it waits to reconnect: ioredis emits no `end` for that.
    client.disconnect();
    await untilTrue('the writer has stopped', () =>
      Promise.resolve(duplicates.every((writer) => writer.status === 'end')),
    );
  });

  it('through Sentinel, with every sentinel down: the client and its writer stop asking the sentinels once the app closes the client', async () => {
    const client = createRedisSentinelClient({
      sentinels: [`127.0.0.1:${await freePort()}`],
      name: 'mymaster',
    });
    const duplicates = recordDuplicates(client);
    const clock = new FrozenClock();
    const store = new RedisRevocationStore(client, { clock, replicaAcknowledgements: 1 });
    await store.revokeToken('u', randomUUID(), clock.now() + 60_000).catch(() => undefined);
    expect(duplicates, 'a writer was made').to.have.length(1);
    // Closed while it asks the sentinels again and again (ioredis' own loop, not a reconnect).
    client.disconnect();
    await untilTrue('the client and the writer have stopped', () =>
      Promise.resolve([client, ...duplicates].every((redis) => redis.status === 'end')),
    );
  });
});
