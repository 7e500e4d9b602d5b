import { expect } from 'chai';
import {
  InvalidTokenError,
  StoreUnavailableError,
  TokenRevokedError,
} from '../../src/errors/security-errors';
import type { MemoryRevocationStore } from '../../src/revocation/memory-revocation-store';
import { createSecurityFixture } from '../helpers/security-fixture';
import type { SecurityFixture } from '../helpers/security-fixture';
import { rejection } from '../helpers/rejection';
import { unavailableStore } from '../helpers/unavailable-store';

describe('RevocationService', () => {
  let f: SecurityFixture;
  beforeEach(() => (f = createSecurityFixture()));

  it('verifies a live access token', async () => {
    const { access_token } = f.tokens.createTokenPair({ sub: '1' });
    expect((await f.revocation.verifyAccessToken(access_token)).sub).to.equal('1');
  });

  it('D1 after revocation the access token and the refresh token are refused', async () => {
    const pair = f.tokens.createTokenPair({ sub: '1' });
    const otherPair = f.tokens.createTokenPair({ sub: '1' });
    await f.revocation.revokeToken(pair.access_token);
    await f.revocation.revokeToken(pair.refresh_token);
    expect(await rejection(f.revocation.verifyAccessToken(pair.access_token))).to.be.instanceOf(
      TokenRevokedError,
    );
    expect(await rejection(f.rotation.refreshAccessToken(pair.refresh_token))).to.be.instanceOf(
      TokenRevokedError,
    );
    expect((await f.revocation.verifyAccessToken(otherPair.access_token)).sub).to.equal('1');
  });

  it('keeps a revocation while the leeway still accepts the token', async () => {
    const g = createSecurityFixture({ JWT_LEEWAY_SECONDS: '30' });
    const token = g.tokens.createAccessToken({ sub: '1' });
    await g.revocation.revokeToken(token);
    g.clock.advanceSeconds(1800 + 20);
    expect(await rejection(g.revocation.verifyAccessToken(token))).to.be.instanceOf(
      TokenRevokedError,
    );
  });

  it('D5 revoking an expired token is a no-op', async () => {
    const token = f.tokens.createAccessToken({ sub: '1' });
    f.clock.advanceSeconds(3600);
    await f.revocation.revokeToken(token);
    expect((f.store as MemoryRevocationStore).size).to.equal(0);
  });

  it('refuses to revoke a token it did not sign', async () => {
    const other = createSecurityFixture({
      SECRET_KEY: 'a-different-key-of-at-least-32-bytes-long',
    });
    const foreign = other.tokens.createAccessToken({ sub: '1' });
    expect(await rejection(f.revocation.revokeToken(foreign))).to.be.instanceOf(InvalidTokenError);
    expect(await rejection(f.revocation.revokeToken('not-a-token'))).to.be.instanceOf(
      InvalidTokenError,
    );
  });

  describe('D7 revokeAllUserTokens', () => {
    it('revokes tokens issued in the same millisecond just before, not those just after', async () => {
      const before = f.tokens.createTokenPair({ sub: '1' });
      await f.revocation.revokeAllUserTokens(1);
      const after = f.tokens.createTokenPair({ sub: '1' });
      expect(await rejection(f.revocation.verifyAccessToken(before.access_token))).to.be.instanceOf(
        TokenRevokedError,
      );
      expect(await rejection(f.rotation.refreshAccessToken(before.refresh_token))).to.be.instanceOf(
        TokenRevokedError,
      );
      expect((await f.revocation.verifyAccessToken(after.access_token)).sub).to.equal('1');
      expect((await f.rotation.refreshAccessToken(after.refresh_token)).token_type).to.equal(
        'bearer',
      );
    });

    it('leaves other users alone', async () => {
      const other = f.tokens.createAccessToken({ sub: '2' });
      await f.revocation.revokeAllUserTokens('1');
      expect((await f.revocation.verifyAccessToken(other)).sub).to.equal('2');
    });

    it('lasts as long as the longest token issued before it', async () => {
      const { refresh_token } = f.tokens.createTokenPair({ sub: '1' });
      await f.revocation.revokeAllUserTokens('1');
      f.clock.advanceSeconds(7 * 86400 - 1);
      expect(await rejection(f.rotation.refreshAccessToken(refresh_token))).to.be.instanceOf(
        TokenRevokedError,
      );
    });

    it('refuses a user id that is not a string or number', async () => {
      for (const id of ['', null, { id: 1 }]) {
        expect(await rejection(f.revocation.revokeAllUserTokens(id as string))).to.be.instanceOf(
          TypeError,
        );
      }
    });
  });

  it('D6 an unreachable store fails closed: StoreUnavailableError, never the claims', async () => {
    const g = createSecurityFixture({}, () => unavailableStore());
    const token = g.tokens.createAccessToken({ sub: '1' });
    expect(await rejection(g.revocation.verifyAccessToken(token))).to.be.instanceOf(
      StoreUnavailableError,
    );
    expect(await rejection(g.revocation.revokeToken(token))).to.be.instanceOf(
      StoreUnavailableError,
    );
  });

  it('checks the token before it asks the store (a forged token never reaches it)', async () => {
    const g = createSecurityFixture({}, () => unavailableStore());
    expect(await rejection(g.revocation.verifyAccessToken('a.b.c'))).to.be.instanceOf(
      InvalidTokenError,
    );
  });

  it('keeps a user cutoff as long as a session it ended could go on (session lifetime, not token lifetime)', async () => {
    const seen: number[] = [];
    const store = f.store;
    const original = store.revokeUserTokens.bind(store);
    store.revokeUserTokens = (subject, cutoffMs, expiresAtMs) => {
      seen.push(expiresAtMs - cutoffMs);
      return original(subject, cutoffMs, expiresAtMs);
    };
    await f.revocation.revokeAllUserTokens('42');
    const sessionMs = f.settings.refreshSessionLifetimeSeconds * 1000;
    expect(seen[0]).to.be.above(sessionMs + f.settings.accessTokenLifetimeSeconds * 1000);
  });
});
