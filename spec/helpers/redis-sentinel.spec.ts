import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { untilTrue } from './bounded-wait';
import { requireRedisBinaries } from './redis-binaries';
import { RedisSentinel } from './redis-sentinel';

// Issue 16: the Sentinel harness itself, so that a store spec failing over it fails for the
// store's reason, not the harness's.
describe('RedisSentinel harness (Redis Sentinel failover)', function () {
  this.timeout(60_000);
  let sentinel: RedisSentinel | undefined;
  let client: Redis | undefined;

  before(async function () {
    await requireRedisBinaries(this);
    sentinel = await RedisSentinel.start();
    client = sentinel.client();
  });

  after(async () => {
    client?.disconnect();
    await sentinel?.stop();
  });

  it('a client through the sentinels reads its replicated write from the promoted replica', async () => {
    const deployment = sentinel!;
    const redis = client!;
    await redis.set('sentinel:before-failover', 'kept');
    expect(await redis.wait(1, 1000)).to.equal(1);

    const old = await deployment.killMaster();
    const promoted = await deployment.untilPromoted(old);
    expect(promoted).to.not.equal(old);
    expect(await deployment.masterPort()).to.equal(promoted);

    // The same client reconnects by itself, through the sentinels, to the new master.
    let read: string | null = null;
    await untilTrue(
      'the client reads through the new master',
      async () => (read = await redis.get('sentinel:before-failover')) !== null,
    );
    expect(read).to.equal('kept');
    expect(redis.stream.remotePort).to.equal(promoted);
    expect(await redis.set('sentinel:after-failover', 'written')).to.equal('OK');
    expect(await redis.get('sentinel:after-failover')).to.equal('written');
  });

  it('the killed node comes back as a replica of the new master', async () => {
    const deployment = sentinel!;
    const redis = client!;
    const restarted = await deployment.restartKilled();
    expect(restarted).to.not.equal(await deployment.masterPort());
    await redis.set('sentinel:after-restart', 'replicated');
    expect(await redis.wait(1, 1000)).to.equal(1);
  });
});
