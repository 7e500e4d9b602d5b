import { expect } from 'chai';
import { Redis } from 'ioredis';
import type { Redis as RedisClient } from 'ioredis';
import { RedisRevocationStore } from '../../src/revocation/redis-revocation-store';
import { ROTATE_REFRESH } from '../../src/revocation/redis-scripts';
import { FrozenClock } from '../helpers/frozen-clock';
import {
  connectRedis,
  dropKeys,
  redisAnswers,
  requireServer,
  TEST_REDIS_URL,
  uniquePrefix,
} from '../helpers/real-servers';
import { ReplyDroppingProxy } from '../helpers/reply-dropping-proxy';
import { rotationTrials } from './resent-rotation';

/**
 * Issue 16, attack review: a rotation whose reply the network lost after Redis ran it. An
 * application's own ioredis client (its defaults: `autoResendUnfulfilledCommands`) sends the
 * command again on the new connection, so Redis runs it twice; the second run found the token
 * spent and answered `reused`, which ended the session of a user who did nothing wrong.
 */
describe('RedisRevocationStore: a rotation sent again by the client after its reply was lost', function () {
  this.timeout(60_000);
  let admin: RedisClient;
  let proxy: ReplyDroppingProxy;
  let app: RedisClient;
  let prefix: string;

  before(async function () {
    await requireServer(this, 'Redis', redisAnswers);
    admin = await connectRedis();
    const { hostname, port } = new URL(TEST_REDIS_URL);
    proxy = await ReplyDroppingProxy.start({ host: hostname, port: Number(port || 6379) });
    // As an application writes it: ioredis' defaults, which send unanswered commands again.
    app = new Redis({ host: '127.0.0.1', port: proxy.port, lazyConnect: true });
    app.on('error', () => undefined);
    await app.connect();
  });
  after(async () => {
    app?.disconnect();
    await proxy?.close();
    admin?.disconnect();
  });
  beforeEach(() => {
    prefix = uniquePrefix();
  });
  afterEach(() => dropKeys(admin, prefix));

  it("the second run writes the rotation's entry again (unchanged), so that the WAIT behind it, on its new connection, covers the rotation", async () => {
    const keys = ['jti', 'fam', 'cut', 'gen', 'marker'].map((name) => `${prefix}{u}:${name}`);
    await admin.set(keys[4] ?? '', '0:0');
    const now = Date.now();
    const args = [now, 0, 600_000, -1, 0, now, 600_000, now + 3_600_000, 'attempt-1'];
    const rotate = () => admin.eval(ROTATE_REFRESH, 5, ...keys, ...args);
    expect(await rotate()).to.equal('rotated');
    const entry = await admin.get(keys[3] ?? '');
    // A transaction watching the entry fails when anything wrote it, even the same value.
    const watcher = await connectRedis();
    try {
      await watcher.watch(keys[3] ?? '');
      expect(await rotate(), 'run again').to.equal('rotated');
      expect(
        await watcher
          .multi()
          .get(keys[3] ?? '')
          .exec(),
        'written again',
      ).to.equal(null);
    } finally {
      watcher.disconnect();
    }
    expect(await admin.get(keys[3] ?? ''), 'unchanged').to.equal(entry);
  });

  it('answers rotated, not reused: the session goes on, and the new token rotates next (many trials)', async () => {
    const clock = new FrozenClock(Date.now());
    const store = new RedisRevocationStore(app, { keyPrefix: prefix, clock });
    await rotationTrials(store, clock, [proxy], 10);
  });
});
