import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { ConfigurationError } from '../../src/errors/security-errors';
import { createRedisClient } from '../../src/revocation/redis-client';
import type { RedisRevocationClient } from '../../src/revocation/redis-revocation-store';
import { RedisRevocationStore } from '../../src/revocation/redis-revocation-store';
import { PrivateRedis } from '../helpers/private-redis';
import { connectRedis } from '../helpers/real-servers';
import { rejection } from '../helpers/rejection';

/** Item 5: a Redis that may evict revocation entries would bring revoked tokens back. */
describe('RedisRevocationStore.checkEvictionPolicy (a Redis of its own)', function () {
  let server: PrivateRedis;
  let redis: Redis;
  before(async () => {
    server = await PrivateRedis.start();
    redis = await connectRedis(server.url);
  });
  after(async () => {
    redis?.disconnect();
    await server?.kill();
  });

  const configure = async (maxmemory: string, policy: string) => {
    await redis.config('SET', 'maxmemory', maxmemory);
    await redis.config('SET', 'maxmemory-policy', policy);
  };

  for (const policy of ['volatile-lru', 'volatile-ttl', 'allkeys-lru', 'allkeys-random']) {
    it(`refuses ${policy} under a maxmemory limit, naming the setting and the fix`, async () => {
      await configure('100mb', policy);
      const error = await rejection(new RedisRevocationStore(redis).checkEvictionPolicy());
      expect(error).to.be.instanceOf(ConfigurationError);
      expect((error as ConfigurationError).variable).to.equal('maxmemory-policy');
      expect((error as Error).message)
        .to.contain(policy)
        .and.to.contain('noeviction');
    });
  }

  it('accepts noeviction, and any policy without a maxmemory limit', async () => {
    await configure('100mb', 'noeviction');
    expect(await new RedisRevocationStore(redis).checkEvictionPolicy()).to.equal('safe');
    await configure('0', 'allkeys-lru');
    expect(await new RedisRevocationStore(redis).checkEvictionPolicy()).to.equal('safe');
  });

  it('says unknown when the host refuses CONFIG (managed Redis), and 503 when Redis is down', async () => {
    const refusing: RedisRevocationClient = {
      defineCommand: () => undefined,
      mget: () => Promise.resolve([]),
      exists: () => Promise.resolve(0),
      pipeline: () => undefined,
      time: () => Promise.resolve(['0', '0']),
      // What ioredis rejects with when the server refuses a command.
      config: () =>
        Promise.reject(
          Object.assign(new Error("ERR unknown command 'CONFIG'"), { name: 'ReplyError' }),
        ),
    };
    expect(await new RedisRevocationStore(refusing).checkEvictionPolicy()).to.equal('unknown');
    const down = createRedisClient('redis://127.0.0.1:1', { connectTimeout: 200 });
    try {
      expect(
        await rejection(new RedisRevocationStore(down).checkEvictionPolicy()),
      ).to.have.property('code', 'ERR_STORE_UNAVAILABLE');
    } finally {
      down.disconnect();
    }
  });
});
