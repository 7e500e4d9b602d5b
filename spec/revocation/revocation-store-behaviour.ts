import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type {
  RefreshTokenState,
  RevocationStore,
  TokenRevocationState,
} from '../../src/revocation/revocation-store';
import { FrozenClock } from '../helpers/frozen-clock';

/** A store under test, on the given clock, and how to clean up after it. */
export interface StoreUnderTest {
  store: RevocationStore;
  cleanup?: () => Promise<void>;
  /** How many entries the store holds now (memory: its size; Redis: its keys). */
  entries?: () => Promise<number>;
  /**
   * Makes the latest rotation of a session `ms` older, as time passing would. Default: the
   * frozen clock moves on (a store that reads time elsewhere, as Redis does, rewrites it).
   */
  ageRotation?: (familyId: string, ms: number) => Promise<void>;
}

/**
 * The behaviour every `RevocationStore` must have: one suite, run against each store
 * (memory here; Redis with the distribution issue).
 */
export function describeRevocationStore(
  name: string,
  createStore: (clock: FrozenClock) => Promise<StoreUnderTest>,
): void {
  describe(`${name}: RevocationStore behaviour`, () => {
    let clock: FrozenClock;
    let subject: StoreUnderTest;
    let store: RevocationStore;

    beforeEach(async () => {
      clock = new FrozenClock();
      subject = await createStore(clock);
      store = subject.store;
      // As in an app, the store has started before any token of a spec was issued: a store
      // that detects lost data refuses tokens older than its start.
      await store.sessionEpoch();
      clock.advance(60_000);
    });
    afterEach(async () => subject.cleanup?.());

    const token = (overrides: Partial<TokenRevocationState> = {}): TokenRevocationState => ({
      jti: randomUUID(),
      subject: `user-${randomUUID()}`,
      startedAtMs: clock.now(),
      ...overrides,
    });
    const refresh = (overrides: Partial<RefreshTokenState> = {}): RefreshTokenState => ({
      ...token(),
      familyId: randomUUID(),
      generation: 0,
      familyExpiresAtMs: clock.now() + 7_200_000,
      ...overrides,
    });
    const next = () => ({ expiresAtMs: clock.now() + 3_600_000 });

    it('revokes one token by jti, and only that one', async () => {
      const revoked = token();
      const other = token({ subject: revoked.subject });
      await store.revokeToken(revoked.subject, revoked.jti, clock.now() + 60_000);
      expect(await store.isRevoked(revoked)).to.equal(true);
      expect(await store.isRevoked(other)).to.equal(false);
    });

    it('D5 revoking with an expiry already past is a no-op, not an error', async () => {
      const t = token();
      await store.revokeToken(t.subject, t.jti, clock.now());
      await store.revokeToken(t.subject, t.jti, clock.now() - 1000);
      expect(await store.isRevoked(t)).to.equal(false);
    });

    it('revokes a whole family, access tokens of it included', async () => {
      const member = token({ familyId: randomUUID() });
      await store.revokeFamily(member.subject, member.familyId as string, clock.now() + 60_000);
      expect(await store.isRevoked(member)).to.equal(true);
      expect(await store.isRevoked(token({ ...member, jti: randomUUID() }))).to.equal(true);
      expect(
        await store.isRevoked(token({ subject: member.subject, familyId: randomUUID() })),
      ).to.equal(false);
      expect(await store.isRevoked(token())).to.equal(false);
    });

    it('D7 a user cutoff revokes tokens issued at or before it, to the millisecond', async () => {
      const user = `user-${randomUUID()}`;
      const cutoff = clock.now();
      await store.revokeUserTokens(user, cutoff, cutoff + 60_000);
      expect(await store.isRevoked(token({ subject: user, startedAtMs: cutoff - 1000 }))).to.equal(
        true,
      );
      expect(await store.isRevoked(token({ subject: user, startedAtMs: cutoff }))).to.equal(true);
      expect(await store.isRevoked(token({ subject: user, startedAtMs: cutoff + 1 }))).to.equal(
        false,
      );
      expect(await store.isRevoked(token({ startedAtMs: cutoff - 1000 }))).to.equal(false);
    });

    it('orders sessions by the store epoch: one read before a cutoff is over, one read after lives', async () => {
      const user = `user-${randomUUID()}`;
      const before = await store.sessionEpoch();
      await store.revokeUserTokens(user, clock.now(), clock.now() + 60_000);
      const after = await store.sessionEpoch();
      expect(after).to.be.above(before);
      // Whatever their start times say: the epoch decides for a session that has one.
      expect(
        await store.isRevoked(
          token({ subject: user, sessionEpoch: before, startedAtMs: clock.now() + 9e6 }),
        ),
      ).to.equal(true);
      expect(
        await store.isRevoked(
          token({ subject: user, sessionEpoch: after, startedAtMs: clock.now() - 9e6 }),
        ),
      ).to.equal(false);
      expect(
        await store.rotateRefreshToken(refresh({ subject: user, sessionEpoch: before }), next()),
      ).to.equal('revoked');
      expect(
        await store.rotateRefreshToken(refresh({ subject: user, sessionEpoch: after }), next()),
      ).to.equal('rotated');
      // The epoch only grows, whoever's cutoff moves it.
      await store.revokeUserTokens(
        `user-${randomUUID()}`,
        clock.now() - 60_000,
        clock.now() + 60_000,
      );
      expect(await store.sessionEpoch()).to.be.above(after);
    });

    it('a user cutoff only moves forward', async () => {
      const user = `user-${randomUUID()}`;
      const now = clock.now();
      await store.revokeUserTokens(user, now, now + 60_000);
      await store.revokeUserTokens(user, now - 5000, now + 60_000);
      expect(await store.isRevoked(token({ subject: user, startedAtMs: now - 1 }))).to.equal(true);
    });

    it('rotates a session once per generation; the spent generation again is reuse and revokes the family', async () => {
      const first = refresh();
      const sibling = token({ subject: first.subject, familyId: first.familyId });
      expect(await store.checkRefreshToken(first)).to.equal('current');
      expect(await store.rotateRefreshToken(first, next())).to.equal('rotated');
      expect(await store.isRevoked(sibling)).to.equal(false);
      const second = { ...first, jti: randomUUID(), generation: 1 };
      expect(await store.checkRefreshToken(second)).to.equal('current');
      expect(await store.rotateRefreshToken(first, next())).to.equal('reused');
      expect(await store.isRevoked(sibling)).to.equal(true);
      expect(await store.checkRefreshToken(second)).to.equal('revoked');
      expect(await store.rotateRefreshToken(second, next())).to.equal('revoked');
    });

    it('a check finds reuse too, and revokes the family', async () => {
      const first = refresh();
      await store.rotateRefreshToken(first, next());
      expect(await store.checkRefreshToken(first)).to.equal('reused');
      expect(
        await store.isRevoked(token({ subject: first.subject, familyId: first.familyId })),
      ).to.equal(true);
    });

    it('a check changes nothing for a current token: checked many times, it still rotates once', async () => {
      const first = refresh();
      for (let i = 0; i < 5; i += 1)
        expect(await store.checkRefreshToken(first)).to.equal('current');
      expect(await store.rotateRefreshToken(first, next())).to.equal('rotated');
    });

    it('refuses a generation newer than the one it knows (session state lost), without revoking', async () => {
      const ahead = refresh({ generation: 3 });
      expect(await store.checkRefreshToken(ahead)).to.equal('revoked');
      expect(await store.rotateRefreshToken(ahead, next())).to.equal('revoked');
      expect(
        await store.isRevoked(token({ subject: ahead.subject, familyId: ahead.familyId })),
      ).to.equal(false);
    });

    it('does not rotate a revoked refresh token, nor one of a session started before a cutoff', async () => {
      const request = refresh();
      await store.revokeToken(request.subject, request.jti, clock.now() + 60_000);
      expect(await store.checkRefreshToken(request)).to.equal('revoked');
      expect(await store.rotateRefreshToken(request, next())).to.equal('revoked');
      const cutUser = refresh({ startedAtMs: clock.now() - 10 });
      await store.revokeUserTokens(cutUser.subject, clock.now(), clock.now() + 60_000);
      expect(await store.rotateRefreshToken(cutUser, next())).to.equal('revoked');
      const revokedFamily = refresh();
      await store.revokeFamily(revokedFamily.subject, revokedFamily.familyId, clock.now() + 60_000);
      expect(await store.rotateRefreshToken(revokedFamily, next())).to.equal('revoked');
    });

    it('a session rotated many times holds one entry: storage grows with sessions, not refreshes', async () => {
      const session = refresh();
      const before = await subject.entries?.();
      for (let generation = 0; generation < 200; generation += 1) {
        const current = { ...session, jti: randomUUID(), generation };
        expect(await store.rotateRefreshToken(current, next())).to.equal('rotated');
      }
      const after = await subject.entries?.();
      if (before !== undefined && after !== undefined) expect(after - before).to.equal(1);
    });

    describe('the reuse interval', () => {
      const INTERVAL = 5000;
      const age = async (familyId: string, ms: number) => {
        if (subject.ageRotation) await subject.ageRotation(familyId, ms);
        else clock.advance(ms);
      };

      it('the generation just spent, again within the interval: grace, and nothing changes', async () => {
        const first = refresh({ reuseIntervalMs: INTERVAL });
        expect(await store.rotateRefreshToken(first, next())).to.equal('rotated');
        expect(await store.checkRefreshToken(first)).to.equal('grace');
        expect(await store.rotateRefreshToken(first, next())).to.equal('grace');
        // The session lives, at the generation the first rotation made.
        const second = { ...first, generation: 1 };
        expect(await store.isRevoked(second)).to.equal(false);
        expect(await store.checkRefreshToken(second)).to.equal('current');
        expect(await store.rotateRefreshToken(second, next())).to.equal('rotated');
        // Two generations back is reuse, interval or not.
        expect(await store.rotateRefreshToken(first, next())).to.equal('reused');
        expect(await store.checkRefreshToken({ ...first, generation: 2 })).to.equal('revoked');
      });

      it('after the interval, the spent generation is reuse and ends the session', async () => {
        const first = refresh({ reuseIntervalMs: INTERVAL });
        expect(await store.rotateRefreshToken(first, next())).to.equal('rotated');
        await age(first.familyId, INTERVAL + 1);
        expect(await store.rotateRefreshToken(first, next())).to.equal('reused');
        expect(await store.checkRefreshToken({ ...first, generation: 1 })).to.equal('revoked');
      });

      it('0 (the default) keeps the strict rule', async () => {
        for (const reuseIntervalMs of [0, undefined]) {
          const first = refresh(reuseIntervalMs === undefined ? {} : { reuseIntervalMs });
          expect(await store.rotateRefreshToken(first, next())).to.equal('rotated');
          expect(await store.rotateRefreshToken(first, next())).to.equal('reused');
        }
      });

      it('does not save a revoked session', async () => {
        const first = refresh({ reuseIntervalMs: INTERVAL });
        expect(await store.rotateRefreshToken(first, next())).to.equal('rotated');
        await store.revokeFamily(first.subject, first.familyId, clock.now() + 60_000);
        expect(await store.rotateRefreshToken(first, next())).to.equal('revoked');
      });

      it('of 50 concurrent rotations of one token within the interval, one rotates and the rest are grace, over many trials', async () => {
        for (let trial = 0; trial < 20; trial++) {
          const request = refresh({ reuseIntervalMs: INTERVAL });
          const outcomes = await Promise.all(
            Array.from({ length: 50 }, () => store.rotateRefreshToken(request, next())),
          );
          expect(
            outcomes.filter((o) => o === 'rotated'),
            `trial ${trial}`,
          ).to.have.length(1);
          expect(
            outcomes.filter((o) => o === 'grace'),
            `trial ${trial}`,
          ).to.have.length(49);
          expect(await store.checkRefreshToken({ ...request, generation: 1 })).to.equal('current');
        }
      });
    });

    it('D2 of 50 concurrent rotations of one token exactly one wins', async () => {
      const request = refresh();
      const outcomes = await Promise.all(
        Array.from({ length: 50 }, () => store.rotateRefreshToken(request, next())),
      );
      expect(outcomes.filter((o) => o === 'rotated')).to.have.length(1);
      // The first loser is reuse and revokes the family; later ones find it revoked.
      expect(outcomes).to.include('reused');
      expect(outcomes.filter((o) => o === 'reused' || o === 'revoked')).to.have.length(49);
    });
  });
}
