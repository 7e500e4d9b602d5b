import { expect } from 'chai';
import { MemoryRevocationStore } from '../../src/revocation/memory-revocation-store';
import { FrozenClock } from '../helpers/frozen-clock';
import { describeRevocationStore } from './revocation-store-behaviour';

describeRevocationStore('MemoryRevocationStore', (clock) => {
  const store = new MemoryRevocationStore(clock);
  return Promise.resolve({ store, entries: () => Promise.resolve(store.size) });
});

describe('MemoryRevocationStore', () => {
  it('forgets entries once they expire', async () => {
    const clock = new FrozenClock();
    const store = new MemoryRevocationStore(clock);
    const state = { jti: 'j', subject: 's', startedAtMs: clock.now() - 1, familyId: 'f' };
    await store.revokeToken('s', 'j', clock.now() + 1000);
    await store.revokeUserTokens('s', clock.now(), clock.now() + 2000);
    expect(await store.isRevoked(state)).to.equal(true);
    clock.advance(1000);
    expect(await store.isRevoked({ ...state, subject: 'other' })).to.equal(false);
    clock.advance(1000);
    expect(await store.isRevoked(state)).to.equal(false);
  });

  it('D8 memory stays bounded: a million expired revocations are swept', async () => {
    const clock = new FrozenClock();
    const store = new MemoryRevocationStore(clock);
    const expiresAt = clock.now() + 30_000;
    for (let i = 0; i < 1_000_000; i += 1) await store.revokeToken('u', `jti-${i}`, expiresAt);
    expect(store.size).to.equal(1_000_000);
    clock.advanceSeconds(59);
    await store.isRevoked({ jti: 'x', subject: 's', startedAtMs: 0 });
    expect(store.size, 'no sweep before the interval').to.equal(1_000_000);
    clock.advanceSeconds(1);
    await store.isRevoked({ jti: 'x', subject: 's', startedAtMs: 0 });
    expect(store.size).to.equal(0);
  });

  it('sweeps expired entries of every kind and keeps live ones', async () => {
    const clock = new FrozenClock();
    const store = new MemoryRevocationStore(clock);
    const now = clock.now();
    await store.revokeToken('u', 'short', now + 1000);
    await store.revokeToken('u', 'long', now + 120_000);
    await store.revokeFamily('u', 'fam', now + 1000);
    await store.revokeUserTokens('user', now, now + 1000);
    await store.rotateRefreshToken(
      {
        jti: 'r',
        subject: 'u',
        startedAtMs: now,
        familyId: 'f2',
        generation: 0,
        familyExpiresAtMs: now + 1000,
      },
      { expiresAtMs: now + 1000 },
    );
    expect(store.size).to.equal(5);
    clock.advance(2000);
    store.purgeExpired();
    expect(store.size).to.equal(1);
    expect(await store.isRevoked({ jti: 'long', subject: 'x', startedAtMs: 0 })).to.equal(true);
  });
});
