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

  /** The keys of one user's rotation: jti, family, cutoff, generation, marker, its grace key. */
  function rotationKeys(attempt: string): string[] {
    return ['jti', 'fam', 'cut', 'gen', 'marker', `grace:${attempt}`].map(
      (name) => `${prefix}{u}:${name}`,
    );
  }

  it("a second tab's rotation answered grace, run again once the reuse interval has passed, answers grace again: not reused, which would end the session", async () => {
    const keys = rotationKeys('tab-2');
    const [marker = '', generation = ''] = [keys[4], keys[3]];
    await admin.set(marker, '0:0');
    const serverMs = async () => {
      const [seconds = 0, micros = 0] = (await admin.time()).map(Number);
      return seconds * 1000 + Math.floor(micros / 1000);
    };
    // Tab 1 rotated generation 0 a moment ago; tab 2 presents generation 0 within the interval.
    await admin.set(generation, `1:tab-1:${(await serverMs()) - 100}:-1`);
    const now = Date.now();
    const args = [now, 0, 600_000, -1, 5_000, now, 600_000, now + 3_600_000, 'tab-2', 60_000];
    const rotate = () => admin.eval(ROTATE_REFRESH, 6, ...keys, ...args);
    expect(await rotate(), 'the first run').to.equal('grace');
    // Its reply is lost; by the time it is sent again, the interval has passed (the entry's
    // rotation time moved back stands for the wait, with no clock to wait on).
    await admin.set(generation, `1:tab-1:${(await serverMs()) - 60_000}:-1`);
    expect(await rotate(), 'run again').to.equal('grace');
    expect(await admin.exists(keys[1] ?? ''), 'the family is not revoked').to.equal(0);
    // Another attempt with the same token, past the interval, is a reuse all the same.
    const other = rotationKeys('tab-3');
    const replay = [...args.slice(0, 8), 'tab-3', 60_000];
    expect(await admin.eval(ROTATE_REFRESH, 6, ...other, ...replay)).to.equal('reused');
    expect(await admin.pttl(keys[5] ?? ''), 'the grace key expires').to.be.within(1, 60_000);
  });

  it("the second run writes the rotation's entry again (unchanged), so that the WAIT behind it, on its new connection, covers the rotation", async () => {
    const keys = rotationKeys('attempt-1');
    await admin.set(keys[4] ?? '', '0:0');
    const now = Date.now();
    const args = [now, 0, 600_000, -1, 0, now, 600_000, now + 3_600_000, 'attempt-1', 60_000];
    const rotate = () => admin.eval(ROTATE_REFRESH, 6, ...keys, ...args);
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
