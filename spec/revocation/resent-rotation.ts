import { createHash, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { ROTATE_REFRESH } from '../../src/revocation/redis-scripts';
import type { RevocationStore, RefreshTokenState } from '../../src/revocation/revocation-store';
import type { FrozenClock } from '../helpers/frozen-clock';
import type { ReplyDroppingProxy } from '../helpers/reply-dropping-proxy';

const ROTATE_SHA = createHash('sha1').update(ROTATE_REFRESH).digest('hex');

/** Whether bytes a client sent carry the rotation script (by its digest, or a line of it). */
export function rotationSent(sent: string): boolean {
  return sent.includes(ROTATE_SHA) || sent.includes("then return 'late' end");
}

/**
 * `trials` sessions, each of whose first rotation loses its reply once through whichever of
 * `proxies` it goes (the client sends it again): the rotation answers `rotated`, and the new
 * generation is current and rotates in turn.
 */
export async function rotationTrials(
  store: RevocationStore,
  clock: FrozenClock,
  proxies: readonly ReplyDroppingProxy[],
  trials: number,
): Promise<void> {
  const sends = () => proxies.reduce((sum, proxy) => sum + proxy.sends(rotationSent), 0);
  for (let trial = 0; trial < trials; trial += 1) {
    const base = {
      subject: `user-${trial}`,
      startedAtMs: clock.now(),
      familyId: `family-${randomUUID()}`,
      familyExpiresAtMs: clock.now() + 3_600_000,
      reuseIntervalMs: 0,
    };
    const g0: RefreshTokenState = { ...base, jti: randomUUID(), generation: 0 };
    const g1: RefreshTokenState = { ...base, jti: randomUUID(), generation: 1 };
    const next = { expiresAtMs: clock.now() + 600_000 };
    const before = sends();
    for (const proxy of proxies) proxy.cutAfter(rotationSent);
    const rotated = await store.rotateRefreshToken(g0, next);
    for (const proxy of proxies) proxy.cutAfter(undefined);
    expect(rotated, `trial ${trial}: the rotation`).to.equal('rotated');
    expect(sends() - before, `trial ${trial}: sent again`).to.be.at.least(2);
    expect(await store.checkRefreshToken(g1), `trial ${trial}: the new token`).to.equal('current');
    expect(await store.rotateRefreshToken(g1, next), `trial ${trial}: its rotation`).to.equal(
      'rotated',
    );
  }
}
