import { EventEmitter } from 'node:events';
import FakeTimers from '@sinonjs/fake-timers';
import { expect } from 'chai';
import { takeOverSlotRefresh } from '../../src/redis/cluster-slot-refresh';

/** A Cluster client by shape: its status, its option, and how often it was asked to read. */
class FakeCluster extends EventEmitter {
  status = 'connecting';
  reads = 0;
  constructor(readonly options: { slotsRefreshInterval?: number }) {
    super();
  }
  refreshSlotsCache(): void {
    this.reads += 1;
  }
  become(status: 'ready' | 'end' | 'reconnecting'): void {
    this.status = status;
    if (status !== 'reconnecting') this.emit(status);
  }
}

describe('takeOverSlotRefresh', () => {
  let clock: ReturnType<typeof FakeTimers.install>;
  beforeEach(() => {
    clock = FakeTimers.install({ toFake: ['setInterval', 'clearInterval'] });
  });
  afterEach(() => clock.uninstall());

  it("turns ioredis' own periodic read off and reads every interval while the client is ready", () => {
    const cluster = takeOverSlotRefresh(new FakeCluster({ slotsRefreshInterval: 1000 }));
    expect(cluster.options.slotsRefreshInterval).to.equal(0);
    clock.tick(5000);
    expect(cluster.reads, 'not before ready').to.equal(0);
    cluster.become('ready');
    clock.tick(3000);
    expect(cluster.reads).to.equal(3);
    cluster.become('reconnecting');
    clock.tick(3000);
    expect(cluster.reads, 'not while reconnecting').to.equal(3);
  });

  it('stops on end, and starts again when the client is ready again', () => {
    const cluster = takeOverSlotRefresh(new FakeCluster({ slotsRefreshInterval: 1000 }));
    cluster.become('ready');
    clock.tick(2000);
    cluster.become('end');
    clock.tick(5000);
    expect(cluster.reads).to.equal(2);
    expect(clock.countTimers(), 'no timer left').to.equal(0);
    cluster.become('ready');
    cluster.become('ready');
    clock.tick(1000);
    expect(cluster.reads, 'one timer, however many readies').to.equal(3);
  });

  it('a copy of a client taken over reads as often as the client, though its option reads 0', () => {
    const original = takeOverSlotRefresh(new FakeCluster({ slotsRefreshInterval: 700 }));
    const copy = takeOverSlotRefresh(new FakeCluster({ ...original.options }), original);
    copy.become('ready');
    clock.tick(2100);
    expect(copy.reads).to.equal(3);
  });

  it('leaves a client without a periodic read alone', () => {
    for (const options of [{}, { slotsRefreshInterval: 0 }]) {
      const cluster = takeOverSlotRefresh(new FakeCluster(options));
      cluster.become('ready');
      clock.tick(10_000);
      expect(cluster.reads).to.equal(0);
      expect(cluster.options).to.deep.equal(options);
    }
  });
});
