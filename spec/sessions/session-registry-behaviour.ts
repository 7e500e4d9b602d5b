import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { SessionRecord, SessionRegistry } from '../../src/sessions/session-registry';
import { MAX_ADDRESS_LENGTH, MAX_USER_AGENT_LENGTH } from '../../src/sessions/session-registry';
import { FrozenClock } from '../helpers/frozen-clock';
import { rejection } from '../helpers/rejection';

/** A registry under test, on the given clock, and how to clean up after it. */
export interface RegistryUnderTest {
  registry: SessionRegistry;
  cleanup?: () => Promise<void>;
  /** Session entries held now, expired or not (memory: its size; Redis: session hashes). */
  entries: () => Promise<number>;
}

const DAY = 86_400_000;

/** The behaviour every `SessionRegistry` must have: one suite, run on memory and on Redis. */
export function describeSessionRegistry(
  name: string,
  createRegistry: (clock: FrozenClock) => Promise<RegistryUnderTest>,
): void {
  describe(`${name}: SessionRegistry behaviour`, () => {
    let clock: FrozenClock;
    let subject: RegistryUnderTest;
    let registry: SessionRegistry;
    let userId: string;
    /** How many sessions `addSessions` made in this test. */
    let created: number;

    beforeEach(async () => {
      clock = new FrozenClock();
      subject = await createRegistry(clock);
      registry = subject.registry;
      userId = `user-${randomUUID()}`;
      created = 0;
    });
    afterEach(async () => subject.cleanup?.());

    /** A session of the test's user, last used when it was created unless told otherwise. */
    const session = (overrides: Partial<SessionRecord> = {}): SessionRecord => {
      const createdAtMs = overrides.createdAtMs ?? clock.now();
      return {
        id: randomUUID(),
        userId,
        createdAtMs,
        lastUsedAtMs: createdAtMs,
        expiresAtMs: clock.now() + DAY,
        ...overrides,
      };
    };
    /** Sessions each created a millisecond after the last one made so, added with no bound hit. */
    async function addSessions(count: number, user = userId): Promise<SessionRecord[]> {
      const added: SessionRecord[] = [];
      for (let i = 0; i < count; i += 1) {
        const next = session({ userId: user, createdAtMs: clock.now() + created++ });
        expect(await registry.add(next, 1000)).to.deep.equal([]);
        added.push(next);
      }
      return added;
    }
    const ids = (records: SessionRecord[]) => records.map((record) => record.id);

    it('a user with no sessions: nothing listed, got or removed, and a touch creates nothing', async () => {
      expect(await registry.list(userId)).to.deep.equal([]);
      expect(await registry.get(userId, randomUUID())).to.equal(undefined);
      expect(await registry.remove(userId, randomUUID())).to.equal(undefined);
      expect(await registry.removeAllExcept(userId, undefined)).to.deep.equal([]);
      expect(await registry.removeAllExcept(userId, randomUUID())).to.deep.equal([]);
      await registry.touch(userId, randomUUID(), clock.now() + 1000);
      expect(await registry.list(userId)).to.deep.equal([]);
      expect(await subject.entries()).to.equal(0);
    });

    it('gives a session back as it was added, optional fields absent when not given', async () => {
      const full = session({ epoch: 1_795_694_400_123, address: '2001:db8::7', userAgent: 'UA/1' });
      const bare = session({ createdAtMs: clock.now() - 5000, lastUsedAtMs: clock.now() - 10 });
      expect(await registry.add(full, 10)).to.deep.equal([]);
      expect(await registry.add(bare, 10)).to.deep.equal([]);
      expect(await registry.get(userId, full.id)).to.deep.equal(full);
      expect(await registry.get(userId, bare.id)).to.deep.equal(bare);
      expect(await registry.list(userId)).to.deep.equal([full, bare]);
      expect(Object.keys((await registry.get(userId, bare.id)) ?? {})).to.have.members([
        'id',
        'userId',
        'createdAtMs',
        'lastUsedAtMs',
        'expiresAtMs',
      ]);
    });

    it('lists newest first by createdAtMs, then by id descending in code point order', async () => {
      const at = clock.now();
      // In UTF-16 order U+1F600 (a surrogate pair) sorts below U+FFFD; in code points (and in
      // UTF-8 bytes, Redis' order) above it.
      const tied = ['a', 'b', '\uFFFD', '\u{1F600}'].map((id) => session({ id, createdAtMs: at }));
      const older = session({ createdAtMs: at - 1 });
      const newer = session({ createdAtMs: at + 1 });
      for (const s of [tied[2], newer, tied[0], older, tied[3], tied[1]]) {
        await registry.add(s, 10);
      }
      expect(ids(await registry.list(userId))).to.deep.equal([
        newer.id,
        '\u{1F600}',
        '\uFFFD',
        'b',
        'a',
        older.id,
      ]);
    });

    it('keeps at most maxPerUser: an add beyond it evicts the oldest others, oldest first', async () => {
      const [s1, s2, s3] = await addSessions(3);
      const s4 = session({ createdAtMs: clock.now() + 10, lastUsedAtMs: clock.now() + 10 });
      expect(await registry.add(s4, 3)).to.deep.equal([s1]);
      expect(await registry.list(userId)).to.deep.equal([s4, s3, s2]);
      const s5 = session({ createdAtMs: clock.now() + 20, lastUsedAtMs: clock.now() + 20 });
      expect(await registry.add(s5, 1)).to.deep.equal([s2, s3, s4]);
      expect(await registry.list(userId)).to.deep.equal([s5]);
      expect(await subject.entries()).to.equal(1);
    });

    it('never evicts the session being added, even when it is the oldest', async () => {
      const [s1, s2] = await addSessions(2);
      const old = session({ createdAtMs: clock.now() - 60_000, lastUsedAtMs: clock.now() });
      expect(await registry.add(old, 2)).to.deep.equal([s1]);
      expect(await registry.list(userId)).to.deep.equal([s2, old]);
      const older = session({ createdAtMs: clock.now() - 120_000 });
      expect(await registry.add(older, 1)).to.deep.equal([old, s2]);
      expect(await registry.list(userId)).to.deep.equal([older]);
    });

    it('on a tie of createdAtMs evicts the lowest ids first, in code point order', async () => {
      const at = clock.now();
      for (const id of ['\u{1F600}', '\uFFFD', 'b']) {
        await registry.add(session({ id, createdAtMs: at }), 10);
      }
      const evicted = await registry.add(session({ id: 'a', createdAtMs: at }), 2);
      expect(ids(evicted)).to.deep.equal(['b', '\uFFFD']);
      expect(ids(await registry.list(userId))).to.deep.equal(['\u{1F600}', 'a']);
    });

    it("bounds each user alone: another user's sessions neither count nor are evicted", async () => {
      const other = `user-${randomUUID()}`;
      const theirs = await addSessions(3, other);
      const [mine] = await addSessions(1);
      expect(await registry.add(session({ createdAtMs: clock.now() + 5 }), 1)).to.deep.equal([
        mine,
      ]);
      expect(await registry.list(other)).to.deep.equal([...theirs].reverse());
    });

    it('re-adding an id replaces its entry and evicts nothing for it', async () => {
      const [s1, s2] = await addSessions(2);
      const again = { ...s1, lastUsedAtMs: clock.now() + 99, userAgent: 'new' };
      expect(await registry.add(again, 2)).to.deep.equal([]);
      expect(await registry.get(userId, again.id)).to.deep.equal(again);
      expect(await registry.list(userId)).to.deep.equal([s2, again]);
      expect(await subject.entries()).to.equal(2);
    });

    it('expired sessions count for nothing: neither listed, nor evicted, nor kept', async () => {
      const short = session({ expiresAtMs: clock.now() + 1000 });
      const long = session({ createdAtMs: clock.now() + 1 });
      await registry.add(short, 2);
      await registry.add(long, 2);
      clock.advance(1000);
      const third = session();
      expect(await registry.add(third, 2)).to.deep.equal([]);
      expect(await registry.list(userId)).to.deep.equal([third, long]);
      expect(await subject.entries()).to.equal(2);
    });

    it('a session is live until the millisecond before expiresAtMs, and gone at it', async () => {
      const s = session({ expiresAtMs: clock.now() + 1000 });
      await registry.add(s, 5);
      clock.advance(999);
      expect(await registry.get(userId, s.id)).to.deep.equal(s);
      expect(await registry.list(userId)).to.deep.equal([s]);
      clock.advance(1);
      expect(await registry.get(userId, s.id)).to.equal(undefined);
      expect(await registry.list(userId)).to.deep.equal([]);
      await registry.touch(userId, s.id, clock.now());
      expect(await registry.get(userId, s.id)).to.equal(undefined);
      expect(await registry.remove(userId, s.id)).to.equal(undefined);
      expect(await registry.removeAllExcept(userId, undefined)).to.deep.equal([]);
      expect(await subject.entries()).to.equal(0);
    });

    it('a session already over when added is not registered, and ends the entry of its id', async () => {
      const over = session({ createdAtMs: clock.now() - 2000, expiresAtMs: clock.now() });
      expect(await registry.add(over, 5)).to.deep.equal([]);
      expect(await registry.get(userId, over.id)).to.equal(undefined);
      const [live] = await addSessions(1);
      const ended = { ...live, expiresAtMs: clock.now() - 1 };
      ended.createdAtMs = ended.expiresAtMs - 1000;
      ended.lastUsedAtMs = ended.createdAtMs;
      expect(await registry.add(ended, 5)).to.deep.equal([]);
      expect(await registry.list(userId)).to.deep.equal([]);
      expect(await subject.entries()).to.equal(0);
    });

    it('touch moves lastUsedAtMs forward, never back', async () => {
      const s = session();
      await registry.add(s, 5);
      await registry.touch(userId, s.id, clock.now() + 5000);
      expect((await registry.get(userId, s.id))?.lastUsedAtMs).to.equal(clock.now() + 5000);
      await registry.touch(userId, s.id, clock.now() + 1000);
      await registry.touch(userId, s.id, clock.now() - 1000);
      expect(await registry.get(userId, s.id)).to.deep.equal({
        ...s,
        lastUsedAtMs: clock.now() + 5000,
      });
    });

    it("touch never creates an entry: an unknown id, another user's, an expired one", async () => {
      const other = `user-${randomUUID()}`;
      const [theirs] = await addSessions(1, other);
      const short = session({ expiresAtMs: clock.now() + 10 });
      await registry.add(short, 5);
      clock.advance(10);
      await registry.touch(userId, randomUUID(), clock.now());
      await registry.touch(userId, theirs.id, clock.now() + 1);
      await registry.touch(userId, short.id, clock.now());
      expect(await registry.list(userId)).to.deep.equal([]);
      expect(await registry.get(userId, theirs.id)).to.equal(undefined);
      expect(await registry.list(other)).to.deep.equal([theirs]);
      expect(await subject.entries()).to.equal(1);
    });

    it("remove gives back one's own session once; another user's id is undefined and stays", async () => {
      const other = `user-${randomUUID()}`;
      const [mine, kept] = await addSessions(2);
      const [theirs] = await addSessions(1, other);
      expect(await registry.remove(userId, mine.id)).to.deep.equal(mine);
      expect(await registry.remove(userId, mine.id)).to.equal(undefined);
      expect(await registry.remove(userId, theirs.id)).to.equal(undefined);
      expect(await registry.list(other)).to.deep.equal([theirs]);
      expect(await registry.list(userId)).to.deep.equal([kept]);
    });

    it('removeAllExcept removes the others, newest first; without a kept id, all of them', async () => {
      const other = `user-${randomUUID()}`;
      const [s1, s2, s3, s4] = await addSessions(4);
      const theirs = await addSessions(2, other);
      expect(await registry.removeAllExcept(userId, s2.id)).to.deep.equal([s4, s3, s1]);
      expect(await registry.list(userId)).to.deep.equal([s2]);
      const [s5] = await addSessions(1);
      expect(await registry.removeAllExcept(userId, randomUUID()), 'an unknown id').to.deep.equal([
        s5,
        s2,
      ]);
      await addSessions(2);
      expect(await registry.removeAllExcept(userId, undefined)).to.have.length(2);
      expect(await registry.list(userId)).to.deep.equal([]);
      expect(await registry.list(other)).to.deep.equal([...theirs].reverse());
    });

    it('cuts user agents by UTF-16 units without splitting a pair, and drops control characters', async () => {
      const cases: [given: string, kept: string | undefined][] = [
        ['x'.repeat(300), 'x'.repeat(MAX_USER_AGENT_LENGTH)],
        ['a'.repeat(255) + '\u{1F600}tail', 'a'.repeat(255)],
        ['a'.repeat(254) + '\u{1F600}b', 'a'.repeat(254) + '\u{1F600}'],
        ['Mozilla\r\n\u0000X\u007f\u0085\u009fY\tZ', 'MozillaXYZ'],
        ['\u0001'.repeat(100) + 'z'.repeat(300), 'z'.repeat(MAX_USER_AGENT_LENGTH)],
        ['a\uD800b\uDC00', 'a\uFFFDb\uFFFD'],
        ['\r\n\t', undefined],
        ['', undefined],
      ];
      for (const [given, kept] of cases) {
        const s = session({ userAgent: given });
        await registry.add(s, 100);
        const stored = await registry.get(userId, s.id);
        expect(stored?.userAgent, JSON.stringify(given)).to.equal(kept);
        expect(stored !== undefined && 'userAgent' in stored).to.equal(kept !== undefined);
      }
    });

    it('cuts addresses to MAX_ADDRESS_LENGTH, without control characters', async () => {
      const cases: [given: string, kept: string | undefined][] = [
        ['192.0.2.1', '192.0.2.1'],
        ['fe80::1%' + 'e'.repeat(100), ('fe80::1%' + 'e'.repeat(100)).slice(0, MAX_ADDRESS_LENGTH)],
        ['203.0.113.9\r\nforged: 1', '203.0.113.9forged: 1'],
        ['', undefined],
      ];
      for (const [given, kept] of cases) {
        const s = session({ address: given });
        await registry.add(s, 100);
        expect((await registry.get(userId, s.id))?.address, given).to.equal(kept);
      }
      // What add gives back when it evicts is the record as kept, too.
      const evicted = await registry.add(session({ createdAtMs: clock.now() + 1 }), 1);
      expect(evicted.map((record) => record.address)).to.include('192.0.2.1');
      expect(evicted.every((r) => (r.address ?? '').length <= MAX_ADDRESS_LENGTH)).to.equal(true);
    });

    it('refuses invalid input with a TypeError, changing nothing', async () => {
      const existing = session();
      await registry.add(existing, 5);
      const bad: [string, () => Promise<unknown>][] = [
        ['NaN createdAtMs', () => registry.add(session({ createdAtMs: NaN }), 5)],
        ['Infinity expiresAtMs', () => registry.add(session({ expiresAtMs: Infinity }), 5)],
        ['fractional lastUsedAtMs', () => registry.add(session({ lastUsedAtMs: 1.5 }), 5)],
        ['NaN epoch', () => registry.add(session({ epoch: NaN }), 5)],
        ['empty id', () => registry.add(session({ id: '' }), 5)],
        ['empty userId', () => registry.add(session({ userId: '' }), 5)],
        ['lone surrogate id', () => registry.add(session({ id: 'a\uD800' }), 5)],
        ['number as id', () => registry.add(session({ id: 7 as unknown as string }), 5)],
        ['address not a string', () => registry.add(session({ address: 7 as never }), 5)],
        [
          'last use before creation',
          () => registry.add(session({ lastUsedAtMs: clock.now() - 1 }), 5),
        ],
        [
          'ends when it starts',
          () => registry.add(session({ expiresAtMs: clock.now(), lastUsedAtMs: clock.now() }), 5),
        ],
        ['max 0', () => registry.add(session(), 0)],
        ['max NaN', () => registry.add(session(), NaN)],
        ['max 1.5', () => registry.add(session(), 1.5)],
        ['touch NaN', () => registry.touch(userId, existing.id, NaN)],
        ['touch empty id', () => registry.touch(userId, '', clock.now())],
        ['touch empty user', () => registry.touch('', existing.id, clock.now())],
        ['list empty user', () => registry.list('')],
        ['get empty id', () => registry.get(userId, '')],
        ['remove empty id', () => registry.remove(userId, '')],
        ['remove empty user', () => registry.remove('', existing.id)],
        ['removeAllExcept empty keepId', () => registry.removeAllExcept(userId, '')],
        ['removeAllExcept empty user', () => registry.removeAllExcept('', undefined)],
      ];
      for (const [what, call] of bad) {
        expect(await rejection(call()), what).to.be.instanceOf(TypeError);
      }
      expect(await registry.list(userId)).to.deep.equal([existing]);
      expect(await subject.entries()).to.equal(1);
    });

    it('stays bounded: 1000 adds for one user with at most 50 leave the 50 newest', async function () {
      this.timeout(20_000);
      const evicted = new Set<string>();
      const added: string[] = [];
      for (let i = 0; i < 1000; i += 1) {
        const s = session({ createdAtMs: clock.now() + i, lastUsedAtMs: clock.now() + i });
        added.push(s.id);
        const removed = await registry.add(s, 50);
        expect(removed, `add ${i}`).to.have.length(i < 50 ? 0 : 1);
        for (const record of removed) evicted.add(record.id);
        if (i % 50 === 49) expect(await subject.entries(), `after ${i + 1}`).to.be.at.most(50);
      }
      const listed = await registry.list(userId);
      expect(ids(listed)).to.deep.equal(added.slice(950).reverse());
      expect(evicted.size).to.equal(950);
      expect([...evicted]).to.have.members(added.slice(0, 950));
      expect(await subject.entries()).to.equal(50);
    });
  });
}
