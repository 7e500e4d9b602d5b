import { expect } from 'chai';
import {
  InvalidTokenError,
  StoreUnavailableError,
  TokenExpiredError,
  TokenRevokedError,
  WrongTokenTypeError,
} from '../../src/errors/security-errors';
import { decodePayload, forgeToken } from '../helpers/forge-token';
import { createSecurityFixture } from '../helpers/security-fixture';
import type { SecurityFixture } from '../helpers/security-fixture';
import { rejection } from '../helpers/rejection';
import { unavailableStore } from '../helpers/unavailable-store';

describe('RefreshRotationService', () => {
  let f: SecurityFixture;
  beforeEach(() => (f = createSecurityFixture()));

  it('spends the refresh token and returns a new pair of the same family', async () => {
    const first = f.tokens.createTokenPair({ sub: '1', roles: ['user'] });
    f.clock.advanceSeconds(60);
    const second = await f.rotation.refreshAccessToken(first.refresh_token);
    const access = decodePayload(second.access_token);
    const refresh = decodePayload(second.refresh_token);
    expect(access).to.include({ sub: '1', fam: decodePayload(first.refresh_token)['fam'] });
    expect(access['roles']).to.deep.equal(['user']);
    expect(refresh['jti']).not.to.equal(decodePayload(first.refresh_token)['jti']);
    expect(refresh['fam_exp']).to.equal(decodePayload(first.refresh_token)['fam_exp']);
    expect((await f.revocation.verifyAccessToken(second.access_token)).sub).to.equal('1');
  });

  it('D3 a spent token presented again is refused and revokes the whole family, newest included', async () => {
    const first = f.tokens.createTokenPair({ sub: '1' });
    const second = await f.rotation.refreshAccessToken(first.refresh_token);
    const error = await rejection(f.rotation.refreshAccessToken(first.refresh_token));
    expect(error).to.be.instanceOf(TokenRevokedError);
    expect((error as TokenRevokedError).reason).to.equal('refresh_reuse');
    expect(await rejection(f.revocation.verifyAccessToken(second.access_token))).to.be.instanceOf(
      TokenRevokedError,
    );
    expect(await rejection(f.revocation.verifyAccessToken(first.access_token))).to.be.instanceOf(
      TokenRevokedError,
    );
    expect(await rejection(f.rotation.refreshAccessToken(second.refresh_token))).to.be.instanceOf(
      TokenRevokedError,
    );
  });

  it("D3 reuse leaves the user's other sessions alone", async () => {
    const session = f.tokens.createTokenPair({ sub: '1' });
    const otherSession = f.tokens.createTokenPair({ sub: '1' });
    await f.rotation.refreshAccessToken(session.refresh_token);
    await rejection(f.rotation.refreshAccessToken(session.refresh_token));
    expect((await f.revocation.verifyAccessToken(otherSession.access_token)).sub).to.equal('1');
  });

  it('D2 of 50 concurrent refreshes of one token exactly one succeeds', async () => {
    const { refresh_token } = f.tokens.createTokenPair({ sub: '1' });
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => f.rotation.refreshAccessToken(refresh_token)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
    for (const result of results.filter((r) => r.status === 'rejected')) {
      expect(result.reason).to.be.instanceOf(TokenRevokedError);
    }
  });

  it('D4 rotation never extends a session past its absolute lifetime', async () => {
    const g = createSecurityFixture({
      REFRESH_TOKEN_EXPIRE_DAYS: '7',
      REFRESH_SESSION_MAX_DAYS: '10',
    });
    let { refresh_token } = g.tokens.createTokenPair({ sub: '1' });
    const familyEnd = decodePayload(refresh_token)['fam_exp'] as number;
    expect(familyEnd).to.equal(g.clock.seconds + 10 * 86400);
    for (let day = 1; day < 10; day += 1) {
      g.clock.advanceSeconds(86400);
      refresh_token = (await g.rotation.refreshAccessToken(refresh_token)).refresh_token;
      expect(decodePayload(refresh_token)['exp']).to.be.at.most(familyEnd);
    }
    g.clock.advanceSeconds(86400);
    expect(await rejection(g.rotation.refreshAccessToken(refresh_token))).to.be.instanceOf(
      TokenExpiredError,
    );
  });

  it('C2 an access token cannot refresh', async () => {
    const { access_token } = f.tokens.createTokenPair({ sub: '1' });
    expect(await rejection(f.rotation.refreshAccessToken(access_token))).to.be.instanceOf(
      WrongTokenTypeError,
    );
  });

  it('takes fresh claims from the application, keeping the subject', async () => {
    const { refresh_token } = f.tokens.createTokenPair({ sub: '1', roles: ['admin'] });
    const pair = await f.rotation.refreshAccessToken(refresh_token, {
      claims: (claims) => Promise.resolve({ roles: ['user'], seen: claims.sub }),
    });
    expect(decodePayload(pair.access_token)).to.deep.include({
      sub: '1',
      roles: ['user'],
      seen: '1',
    });
  });

  it('refuses the refresh when the application no longer knows the user', async () => {
    const { refresh_token } = f.tokens.createTokenPair({ sub: '1' });
    const error = await rejection(
      f.rotation.refreshAccessToken(refresh_token, { claims: () => null }),
    );
    expect(error).to.be.instanceOf(InvalidTokenError);
  });

  it('item 17: a signed refresh token with a non-integer fam_exp is a 401 before anything is spent, never a 500', async () => {
    const genuine = decodePayload(f.tokens.createTokenPair({ sub: '1' }).refresh_token);
    for (const fam_exp of [(genuine['fam_exp'] as number) - 0.5, '1e10', null]) {
      const token = forgeToken({ alg: 'HS256', typ: 'JWT' }, { ...genuine, fam_exp });
      const error = await rejection(f.rotation.refreshAccessToken(token));
      expect(error, String(fam_exp)).to.be.instanceOf(InvalidTokenError);
      expect((error as InvalidTokenError).claim).to.equal('fam_exp');
    }
  });

  it('the generation moves on by one at each rotation, the session start stays', async () => {
    let pair = f.tokens.createTokenPair({ sub: '1' });
    const start = decodePayload(pair.refresh_token)['fam_iat_ms'];
    for (let generation = 1; generation <= 3; generation += 1) {
      f.clock.advanceSeconds(10);
      pair = await f.rotation.refreshAccessToken(pair.refresh_token);
      expect(decodePayload(pair.refresh_token)).to.include({
        fam_gen: generation,
        fam_iat_ms: start,
      });
      expect(decodePayload(pair.access_token)).to.include({ fam_iat_ms: start });
    }
  });

  it('D6 fails closed when the store is unreachable', async () => {
    const g = createSecurityFixture({}, () => unavailableStore());
    const { refresh_token } = g.tokens.createTokenPair({ sub: '1' });
    expect(await rejection(g.rotation.refreshAccessToken(refresh_token))).to.be.instanceOf(
      StoreUnavailableError,
    );
  });
});
