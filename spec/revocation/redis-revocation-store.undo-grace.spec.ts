import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { StoreUnavailableError } from '../../src/errors/security-errors';
import { RedisRevocationStore } from '../../src/revocation/redis-revocation-store';
import type { RefreshTokenState } from '../../src/revocation/revocation-store';
import { FrozenClock } from '../helpers/frozen-clock';
import {
  connectRedis,
  dropKeys,
  redisAnswers,
  requireServer,
  uniquePrefix,
} from '../helpers/real-servers';
import { rejection } from '../helpers/rejection';

/**
 * Attack review of the reuse interval in the Redis store (issue 15): a rotation that answered
 * 503 is undone (UNDO_ROTATION) — does the undo keep the grace of the rotation before it?
 *
 * Regression: the undo wrote back the bare generation (`<gen>`), without the time of the
 * rotation that made it, so the token that rotation spent, presented within the interval (a
 * second tab), was judged reuse and ended the session. The entry now keeps that time.
 */
describe('RedisRevocationStore: the reuse interval and an undone rotation', function () {
  let redis: Redis;
  let prefix: string;

  before(async function () {
    await requireServer(this, 'Redis', redisAnswers);
    redis = await connectRedis();
  });
  after(() => redis?.disconnect());
  beforeEach(() => {
    prefix = uniquePrefix();
  });
  afterEach(() => dropKeys(redis, prefix));

  it('tab 1 refreshes 0 → 1, its next refresh 1 → 2 times out and is undone; tab 2 presenting generation 0 within the interval still gets grace', async () => {
    const clock = new FrozenClock(Date.now());
    const store = new RedisRevocationStore(redis, { keyPrefix: prefix, clock });
    const base = {
      subject: 'u',
      startedAtMs: clock.now(),
      familyId: 'fam-undo-grace',
      familyExpiresAtMs: clock.now() + 3_600_000,
      reuseIntervalMs: 5000,
    };
    const g0: RefreshTokenState = { ...base, jti: 'g0', generation: 0 };
    const g1: RefreshTokenState = { ...base, jti: 'g1', generation: 1 };
    const next = { expiresAtMs: clock.now() + 600_000 };
    expect(await store.rotateRefreshToken(g0, next)).to.equal('rotated');
    expect(await store.checkRefreshToken(g0), 'tab 2 right after the rotation').to.equal('grace');

    // Tab 1's next rotation runs on the server but its answer is lost (a timeout): the store
    // undoes it behind it.
    const scripted = redis as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    const rotate = scripted['fastcoreRotateRefresh'];
    scripted['fastcoreRotateRefresh'] = async (...args: unknown[]) => {
      await rotate.apply(redis, args);
      throw new Error('Command timed out');
    };
    try {
      expect(await rejection(store.rotateRefreshToken(g1, next))).to.be.instanceOf(
        StoreUnavailableError,
      );
    } finally {
      scripted['fastcoreRotateRefresh'] = rotate;
    }
    expect(await store.checkRefreshToken(g1), 'generation 1 is current again').to.equal('current');
    // Still within 5 s of the rotation 0 → 1: tab 2 should get grace, as it did before the
    // undo. Today: 'reused', and the session ends.
    expect(await store.checkRefreshToken(g0), 'tab 2 after the undo').to.equal('grace');
  });
});
