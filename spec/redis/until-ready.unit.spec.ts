import { EventEmitter } from 'node:events';
import FakeTimers from '@sinonjs/fake-timers';
import { expect } from 'chai';
import { untilReady } from '../../src/redis/until-ready';

/** A client by shape: its status, and how often it was told to connect. */
class FakeClient extends EventEmitter {
  connects = 0;
  constructor(public status: string) {
    super();
  }
  connect(): Promise<void> {
    this.connects += 1;
    return Promise.resolve();
  }
  ready(): void {
    this.status = 'ready';
    this.emit('ready');
  }
}

describe('untilReady', () => {
  let clock: ReturnType<typeof FakeTimers.install>;
  beforeEach(() => {
    clock = FakeTimers.install({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(() => clock.uninstall());

  it('is true at once for a ready client, and does not connect it', async () => {
    const client = new FakeClient('ready');
    expect(await untilReady(client, 1000)).to.equal(true);
    expect(client.connects).to.equal(0);
  });

  it('is true when a connecting client becomes ready, and leaves no timer', async () => {
    const client = new FakeClient('connecting');
    const waiting = untilReady(client, 1000);
    clock.tick(300);
    client.ready();
    expect(await waiting).to.equal(true);
    expect(client.connects, 'already connecting').to.equal(0);
    expect(clock.countTimers()).to.equal(0);
  });

  it('tells a client waiting for its first command (lazy) to connect', async () => {
    const client = new FakeClient('wait');
    const waiting = untilReady(client, 1000);
    expect(client.connects).to.equal(1);
    client.ready();
    expect(await waiting).to.equal(true);
  });

  it('is false at once for a client closed for good (end)', async () => {
    const client = new FakeClient('end');
    expect(await untilReady(client, 1000)).to.equal(false);
    expect(client.connects).to.equal(0);
    expect(clock.countTimers()).to.equal(0);
  });

  it('is false after the wait, and leaves no listener behind on a client that never opens', async () => {
    const client = new FakeClient('reconnecting');
    for (let wait = 0; wait < 20; wait += 1) {
      const waiting = untilReady(client, 1000);
      clock.tick(1000);
      expect(await waiting).to.equal(false);
    }
    expect(client.listenerCount('ready')).to.equal(0);
  });
});
