import { expect } from 'chai';
import type { Cluster } from 'ioredis';
import { RedisSessionRegistry } from '../../src/sessions/redis-session-registry';
import { RedisCluster } from '../helpers/redis-cluster';
import { uniquePrefix } from '../helpers/real-servers';
import { describeSessionRegistry } from './session-registry-behaviour';

/**
 * Issue 16's first step: the session registry on a real Redis Cluster (three masters, one
 * replica each, started by the spec on loopback ports). Every key of a user carries the same
 * hash tag, so each of its scripts runs in one slot: the whole behaviour suite passes.
 */
describe('RedisSessionRegistry on a real Redis Cluster (3 masters, 3 replicas)', function () {
  this.timeout(60_000);
  let cluster: RedisCluster | undefined;
  let client: Cluster;

  before(async function () {
    cluster = await RedisCluster.start();
    client = cluster.client();
    await client.ping();
  });
  after(async () => {
    client?.disconnect();
    await cluster?.stop();
  });

  describeSessionRegistry('RedisSessionRegistry (Cluster)', (clock) => {
    const prefix = uniquePrefix();
    return Promise.resolve({
      registry: new RedisSessionRegistry(client, { keyPrefix: prefix, clock }),
      // Every master holds some users' keys.
      entries: async () =>
        (
          await Promise.all(client.nodes('master').map((node) => node.keys(`${prefix}*:session:*`)))
        ).flat().length,
    });
  });

  it('spreads users over the masters, each user in one slot', async () => {
    const registry = new RedisSessionRegistry(client, { keyPrefix: uniquePrefix() });
    const now = Date.now();
    for (let user = 0; user < 30; user += 1) {
      await registry.add(
        {
          id: `s-${user}`,
          userId: `user-${user}`,
          createdAtMs: now,
          lastUsedAtMs: now,
          expiresAtMs: now + 60_000,
        },
        5,
      );
    }
    const masters = client.nodes('master');
    const sizes = await Promise.all(masters.map((node) => node.dbsize()));
    expect(sizes.filter((size) => size > 0).length).to.equal(3);
  });
});
