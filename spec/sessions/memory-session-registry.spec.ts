import { expect } from 'chai';
import { MemorySessionRegistry } from '../../src/sessions/memory-session-registry';
import type { SessionRecord } from '../../src/sessions/session-registry';
import { FrozenClock } from '../helpers/frozen-clock';
import { describeSessionRegistry } from './session-registry-behaviour';

describeSessionRegistry('MemorySessionRegistry', (clock) => {
  const registry = new MemorySessionRegistry(clock);
  return Promise.resolve({ registry, entries: () => Promise.resolve(registry.size) });
});

describe('MemorySessionRegistry', () => {
  let clock: FrozenClock;
  let registry: MemorySessionRegistry;
  beforeEach(() => {
    clock = new FrozenClock();
    registry = new MemorySessionRegistry(clock);
  });

  const session = (userId: string, id: string, lifeMs = 30_000): SessionRecord => ({
    id,
    userId,
    createdAtMs: clock.now(),
    lastUsedAtMs: clock.now(),
    expiresAtMs: clock.now() + lifeMs,
  });

  it('holds no more than maxPerUser for a user after any add', async () => {
    for (let i = 0; i < 1000; i += 1) {
      clock.advance(1);
      await registry.add(session('u', `s${i}`), 50);
      expect(registry.size).to.be.at.most(50);
    }
  });

  it('memory stays bounded: sessions of users never seen again are swept once a minute', async () => {
    for (let i = 0; i < 10_000; i += 1) await registry.add(session(`user-${i}`, 'fam'), 5);
    expect(registry.size).to.equal(10_000);
    clock.advanceSeconds(59);
    await registry.list('someone-else');
    expect(registry.size, 'no sweep before the interval').to.equal(10_000);
    clock.advanceSeconds(1);
    await registry.list('someone-else');
    expect(registry.size).to.equal(0);
  });

  it('a sweep keeps live sessions; purgeExpired sweeps at once', async () => {
    await registry.add(session('a', 'short', 1000), 5);
    await registry.add(session('a', 'long', 120_000), 5);
    await registry.add(session('b', 'short', 1000), 5);
    clock.advance(1000);
    registry.purgeExpired();
    expect(registry.size).to.equal(1);
    expect((await registry.list('a')).map((s) => s.id)).to.deep.equal(['long']);
  });

  it('gives copies: changing a returned record or the one added changes nothing kept', async () => {
    const added = session('u', 's1');
    await registry.add(added, 5);
    added.lastUsedAtMs += 1000;
    const got = await registry.get('u', 's1');
    (got as SessionRecord).userAgent = 'changed';
    const [listed] = await registry.list('u');
    listed.expiresAtMs = 0;
    expect(await registry.get('u', 's1')).to.deep.equal(session('u', 's1'));
  });
});
