import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type {
  RefreshSpendRequest,
  RevocationStore,
  TokenRevocationState,
} from '../../src/revocation/revocation-store';
import { FrozenClock } from '../helpers/frozen-clock';

/** A store under test, on the given clock, and how to clean up after it. */
export interface StoreUnderTest {
  store: RevocationStore;
  cleanup?: () => Promise<void>;
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
    });
    afterEach(async () => subject.cleanup?.());

    const token = (overrides: Partial<TokenRevocationState> = {}): TokenRevocationState => ({
      jti: randomUUID(),
      subject: `user-${randomUUID()}`,
      issuedAtMs: clock.now(),
      ...overrides,
    });
    const refresh = (overrides: Partial<RefreshSpendRequest> = {}): RefreshSpendRequest => ({
      ...token(),
      familyId: randomUUID(),
      expiresAtMs: clock.now() + 3_600_000,
      familyExpiresAtMs: clock.now() + 7_200_000,
      ...overrides,
    });

    it('revokes one token by jti, and only that one', async () => {
      const revoked = token();
      const other = token({ subject: revoked.subject });
      await store.revokeToken(revoked.jti, clock.now() + 60_000);
      expect(await store.isRevoked(revoked)).to.equal(true);
      expect(await store.isRevoked(other)).to.equal(false);
    });

    it('D5 revoking with an expiry already past is a no-op, not an error', async () => {
      const t = token();
      await store.revokeToken(t.jti, clock.now());
      await store.revokeToken(t.jti, clock.now() - 1000);
      expect(await store.isRevoked(t)).to.equal(false);
    });

    it('revokes a whole family, access tokens of it included', async () => {
      const familyId = randomUUID();
      await store.revokeFamily(familyId, clock.now() + 60_000);
      expect(await store.isRevoked(token({ familyId }))).to.equal(true);
      expect(await store.isRevoked(token({ familyId: randomUUID() }))).to.equal(false);
      expect(await store.isRevoked(token())).to.equal(false);
    });

    it('D7 a user cutoff revokes tokens issued at or before it, to the millisecond', async () => {
      const user = `user-${randomUUID()}`;
      const cutoff = clock.now();
      await store.revokeUserTokens(user, cutoff, cutoff + 60_000);
      expect(await store.isRevoked(token({ subject: user, issuedAtMs: cutoff - 1000 }))).to.equal(
        true,
      );
      expect(await store.isRevoked(token({ subject: user, issuedAtMs: cutoff }))).to.equal(true);
      expect(await store.isRevoked(token({ subject: user, issuedAtMs: cutoff + 1 }))).to.equal(
        false,
      );
      expect(await store.isRevoked(token({ issuedAtMs: cutoff - 1000 }))).to.equal(false);
    });

    it('a user cutoff only moves forward', async () => {
      const user = `user-${randomUUID()}`;
      const now = clock.now();
      await store.revokeUserTokens(user, now, now + 60_000);
      await store.revokeUserTokens(user, now - 5000, now + 60_000);
      expect(await store.isRevoked(token({ subject: user, issuedAtMs: now - 1 }))).to.equal(true);
    });

    it('spends a refresh token once; the second spend is reuse and revokes the family', async () => {
      const first = refresh();
      const sibling = token({ subject: first.subject, familyId: first.familyId });
      expect(await store.spendRefreshToken(first)).to.equal('spent');
      expect(await store.isRevoked(sibling)).to.equal(false);
      expect(await store.spendRefreshToken(first)).to.equal('reused');
      expect(await store.isRevoked(sibling)).to.equal(true);
      expect(await store.spendRefreshToken(refresh({ familyId: first.familyId }))).to.equal(
        'revoked',
      );
    });

    it('does not spend a revoked refresh token', async () => {
      const request = refresh();
      await store.revokeToken(request.jti, clock.now() + 60_000);
      expect(await store.spendRefreshToken(request)).to.equal('revoked');
      const cutUser = refresh({ issuedAtMs: clock.now() - 10 });
      await store.revokeUserTokens(cutUser.subject, clock.now(), clock.now() + 60_000);
      expect(await store.spendRefreshToken(cutUser)).to.equal('revoked');
    });

    it('D2 of 50 concurrent spends of one token exactly one wins', async () => {
      const request = refresh();
      const outcomes = await Promise.all(
        Array.from({ length: 50 }, () => store.spendRefreshToken(request)),
      );
      expect(outcomes.filter((o) => o === 'spent')).to.have.length(1);
      // The first loser is reuse and revokes the family; later ones find it revoked.
      expect(outcomes).to.include('reused');
      expect(outcomes.filter((o) => o === 'reused' || o === 'revoked')).to.have.length(49);
    });
  });
}
