import { expect } from 'chai';
import {
  InvalidTokenError,
  TokenExpiredError,
  WrongTokenTypeError,
} from '../../src/errors/security-errors';
import { decodeHeader, decodePayload, forgeToken } from '../helpers/forge-token';
import { createSecurityFixture } from '../helpers/security-fixture';
import type { SecurityFixture } from '../helpers/security-fixture';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('TokenService', () => {
  let f: SecurityFixture;
  beforeEach(() => (f = createSecurityFixture()));

  describe('createAccessToken', () => {
    it('signs HS256 with sub, type, jti, iat, iat_ms, exp and the app claims', () => {
      const token = f.tokens.createAccessToken({ sub: 42, roles: ['admin'], user_id: 42 });
      expect(decodeHeader(token)).to.deep.equal({ alg: 'HS256', typ: 'JWT' });
      const claims = decodePayload(token);
      expect(claims).to.include({ sub: '42', type: 'access', user_id: 42 });
      expect(claims['roles']).to.deep.equal(['admin']);
      expect(claims['jti']).to.match(UUID);
      expect(claims['iat']).to.equal(f.clock.seconds);
      expect(claims['iat_ms']).to.equal(f.clock.now());
      expect(claims['exp']).to.equal(f.clock.seconds + 30 * 60);
      expect(claims).not.to.have.property('fam');
    });

    it('gives every token a unique jti', () => {
      const ids = new Set(
        Array.from(
          { length: 500 },
          () => decodePayload(f.tokens.createAccessToken({ sub: 'a' }))['jti'],
        ),
      );
      expect(ids.size).to.equal(500);
    });

    it('takes a shorter lifetime in whole seconds, never a longer one or a string', () => {
      const token = f.tokens.createAccessToken({ sub: 'a' }, { expiresInSeconds: 60 });
      expect(decodePayload(token)['exp']).to.equal(f.clock.seconds + 60);
      for (const expiresInSeconds of [1801, 0, -1, 1.5, '60' as unknown as number]) {
        expect(() => f.tokens.createAccessToken({ sub: 'a' }, { expiresInSeconds })).to.throw(
          TypeError,
          'expiresInSeconds must be an integer from 1 to 1800',
        );
      }
    });

    it('sets iss and aud when configured', () => {
      const g = createSecurityFixture({ JWT_ISSUER: 'https://auth.example', JWT_AUDIENCE: 'api' });
      const claims = decodePayload(g.tokens.createAccessToken({ sub: 'a' }));
      expect(claims).to.include({ iss: 'https://auth.example', aud: 'api' });
      expect(g.tokens.verifyAccessToken(g.tokens.createAccessToken({ sub: 'a' })).aud).to.equal(
        'api',
      );
    });
  });

  describe('createRefreshToken', () => {
    it('starts a family whose absolute end is the session lifetime', () => {
      const claims = decodePayload(f.tokens.createRefreshToken({ sub: 'a' }));
      expect(claims['type']).to.equal('refresh');
      expect(claims['fam']).to.match(UUID);
      expect(claims['fam_exp']).to.equal(f.clock.seconds + 7 * 86400);
      expect(claims['exp']).to.equal(f.clock.seconds + 7 * 86400);
    });

    it('never outlives the family it continues', () => {
      const family = {
        id: 'fam-1',
        expiresAt: f.clock.seconds + 3600,
        startedAtMs: f.clock.now() - 1000,
        generation: 2,
      };
      const claims = decodePayload(f.tokens.createRefreshToken({ sub: 'a' }, { family }));
      expect(claims['exp']).to.equal(family.expiresAt);
      expect(claims['fam']).to.equal('fam-1');
      expect(claims['fam_iat_ms']).to.equal(family.startedAtMs);
      expect(claims['fam_gen']).to.equal(2);
    });

    it('refuses a family starting after the token, before the session lifetime, or with a bad generation', () => {
      const good = {
        id: 'x',
        expiresAt: f.clock.seconds + 3600,
        startedAtMs: f.clock.now(),
        generation: 0,
      };
      for (const family of [
        { ...good, startedAtMs: f.clock.now() + 121_001 },
        { ...good, startedAtMs: f.clock.now() - 8 * 86400_000 },
        { ...good, epoch: -1 },
        { ...good, epoch: 1.5 },
        { ...good, startedAtMs: 1.5 },
        { ...good, generation: -1 },
        { ...good, generation: 0.5 },
        { ...good, csrf: 'short' },
        { ...good, csrf: 'has spaces in it, and ;' },
      ]) {
        expect(() => f.tokens.createRefreshToken({ sub: 'a' }, { family })).to.throw(TypeError);
      }
    });

    it('gives every token of a session its random CSRF token (fam_csrf), kept by rotation', () => {
      const family = f.tokens.startFamily();
      expect(family.csrf).to.match(/^[A-Za-z0-9_-]{24}$/);
      expect(f.tokens.startFamily().csrf).not.to.equal(family.csrf);
      const pair = f.tokens.createTokenPair({ sub: 'a' }, { family });
      const refresh = f.tokens.verifyRefreshToken(pair.refresh_token);
      expect(f.tokens.verifyAccessToken(pair.access_token).fam_csrf).to.equal(family.csrf);
      expect(refresh.fam_csrf).to.equal(family.csrf);
      expect(f.tokens.nextGeneration(refresh).csrf).to.equal(family.csrf);
      // Signed the same way: the control passes, a fam_csrf that no session has does not.
      const control = forgeToken({ alg: 'HS256' }, decodePayload(pair.access_token));
      expect(f.tokens.verifyAccessToken(control).fam_csrf).to.equal(family.csrf);
      for (const fam_csrf of [42, '', 'x'.repeat(65), 'a b']) {
        const payload = { ...decodePayload(pair.access_token), fam_csrf };
        expect(() => f.tokens.verifyAccessToken(forgeToken({ alg: 'HS256' }, payload))).to.throw(
          InvalidTokenError,
        );
      }
    });

    it('signs on its own clock a session another instance started ahead of it (no 500)', () => {
      const ahead = { ...f.tokens.startFamily(7), startedAtMs: f.clock.now() + 40_000 };
      const claims = decodePayload(f.tokens.createRefreshToken({ sub: 'a' }, { family: ahead }));
      expect(claims['iat_ms']).to.equal(f.clock.now());
      expect(claims).to.include({ fam_iat_ms: ahead.startedAtMs, fam_epoch: 7 });
    });

    it('a burst of cutoffs with nothing signed between them does not push issue times past the clock', () => {
      for (let i = 0; i < 10_000; i += 1) f.tokens.takeRevocationCutoff();
      const token = f.tokens.createAccessToken({ sub: 'a' });
      expect((decodePayload(token)['iat_ms'] as number) - f.clock.now()).to.be.at.most(1);
      expect(f.tokens.verifyAccessToken(token).sub).to.equal('a');
    });

    it('a clock stepped back: tokens are signed on the clock, usable at once on their instance', () => {
      f.clock.advance(-5000);
      const token = f.tokens.createAccessToken({ sub: 'a' });
      expect(decodePayload(token)['iat_ms']).to.equal(f.clock.now());
      expect(f.tokens.verifyAccessToken(token).sub).to.equal('a');
    });

    it('refuses a family that has ended or outlasts the session lifetime', () => {
      for (const expiresAt of [f.clock.seconds, f.clock.seconds + 8 * 86400]) {
        expect(() =>
          f.tokens.createRefreshToken(
            { sub: 'a' },
            { family: { id: 'x', expiresAt, startedAtMs: f.clock.now(), generation: 0 } },
          ),
        ).to.throw(TypeError);
      }
    });
  });

  describe('createTokenPair', () => {
    it('no token of a session outlives it: near its end the access token and expires_in are cut short', () => {
      const family = { ...f.tokens.startFamily(), expiresAt: f.clock.seconds + 60 };
      const pair = f.tokens.createTokenPair({ sub: 'a' }, { family });
      expect(decodePayload(pair.access_token)['exp']).to.equal(family.expiresAt);
      expect(decodePayload(pair.refresh_token)['exp']).to.equal(family.expiresAt);
      expect(pair.expires_in).to.equal(60);
    });

    it('returns the OAuth2 shape, both tokens of one family', () => {
      const pair = f.tokens.createTokenPair({ sub: 'user@example.com', user_id: 123 });
      expect(Object.keys(pair).sort()).to.deep.equal([
        'access_token',
        'expires_in',
        'refresh_token',
        'token_type',
      ]);
      expect(pair.token_type).to.equal('bearer');
      expect(pair.expires_in).to.equal(1800);
      const access = decodePayload(pair.access_token);
      const refresh = decodePayload(pair.refresh_token);
      expect(access['fam']).to.equal(refresh['fam']);
      expect(access['jti']).not.to.equal(refresh['jti']);
      expect(refresh['user_id']).to.equal(123);
    });
  });

  describe('verification', () => {
    it('returns the claims of a valid token of the expected type', () => {
      const pair = f.tokens.createTokenPair({ sub: '7', roles: ['user'] });
      expect(f.tokens.verifyAccessToken(pair.access_token)).to.include({
        sub: '7',
        type: 'access',
      });
      expect(f.tokens.verifyRefreshToken(pair.refresh_token)).to.include({
        sub: '7',
        type: 'refresh',
      });
    });

    it('C1 refuses a refresh token where an access token is expected', () => {
      const { refresh_token } = f.tokens.createTokenPair({ sub: '7' });
      expect(() => f.tokens.verifyAccessToken(refresh_token)).to.throw(WrongTokenTypeError);
    });

    it('C2 refuses an access token where a refresh token is expected', () => {
      const { access_token } = f.tokens.createTokenPair({ sub: '7' });
      expect(() => f.tokens.verifyRefreshToken(access_token)).to.throw(WrongTokenTypeError);
    });

    it('B2 a token is valid until the second before exp, and expired at exp', () => {
      const token = f.tokens.createAccessToken({ sub: '7' });
      f.clock.advanceSeconds(1800);
      f.clock.advance(-1);
      expect(f.tokens.verifyAccessToken(token).sub).to.equal('7');
      f.clock.advance(1);
      expect(() => f.tokens.verifyAccessToken(token)).to.throw(TokenExpiredError);
    });

    it('B2 honours the configured leeway, and only it', () => {
      const g = createSecurityFixture({ JWT_LEEWAY_SECONDS: '30' });
      const token = g.tokens.createAccessToken({ sub: '7' });
      g.clock.advanceSeconds(1800 + 29);
      expect(g.tokens.verifyAccessToken(token).sub).to.equal('7');
      g.clock.advanceSeconds(1);
      expect(() => g.tokens.verifyAccessToken(token)).to.throw(TokenExpiredError);
    });

    it('C3 refuses a token of another audience or issuer signed with the same key', () => {
      const api = createSecurityFixture({ JWT_AUDIENCE: 'api', JWT_ISSUER: 'https://a' });
      const other = createSecurityFixture({ JWT_AUDIENCE: 'billing', JWT_ISSUER: 'https://a' });
      const foreign = createSecurityFixture({ JWT_AUDIENCE: 'api', JWT_ISSUER: 'https://b' });
      const unscoped = createSecurityFixture();
      for (const token of [
        other.tokens.createAccessToken({ sub: '1' }),
        foreign.tokens.createAccessToken({ sub: '1' }),
        unscoped.tokens.createAccessToken({ sub: '1' }),
      ]) {
        expect(() => api.tokens.verifyAccessToken(token)).to.throw(
          InvalidTokenError,
          'The token is invalid.',
        );
      }
    });

    it('refuses a token signed with another key', () => {
      const other = createSecurityFixture({
        SECRET_KEY: 'another-key-of-at-least-thirty-two-bytes!!',
      });
      expect(() =>
        f.tokens.verifyAccessToken(other.tokens.createAccessToken({ sub: '1' })),
      ).to.throw(InvalidTokenError);
    });

    it('keeps every error free of the token and of library messages', () => {
      const token = f.tokens.createAccessToken({ sub: 'secret-subject' });
      const tampered = `${token.slice(0, -2)}AA`;
      try {
        f.tokens.verifyAccessToken(tampered);
        expect.fail('accepted a tampered token');
      } catch (error) {
        const text = JSON.stringify(error) + String(error) + (error as Error).message;
        expect(text).not.to.contain(tampered.slice(0, 20));
        expect(text).not.to.match(/invalid signature|jwt malformed/i);
        expect(JSON.parse(JSON.stringify(error))).to.deep.equal({
          code: 'ERR_TOKEN_INVALID',
          message: 'The token is invalid.',
        });
      }
    });
  });

  describe('the cache of verified tokens', () => {
    it('serves a token seen before, frozen, so that no caller can alter it for the next', () => {
      const token = f.tokens.createAccessToken({ sub: '7', roles: ['user'] });
      const first = f.tokens.verifyAccessToken(token);
      expect(f.tokens.verifyAccessToken(token)).to.equal(first);
      expect(Object.isFrozen(first)).to.equal(true);
      expect(() => (first['roles'] as string[]).push('admin')).to.throw(TypeError);
    });

    it('still refuses a cached token once it expires, and where the other type is expected', () => {
      const pair = f.tokens.createTokenPair({ sub: '7' });
      f.tokens.verifyAccessToken(pair.access_token);
      f.tokens.verifyRefreshToken(pair.refresh_token);
      expect(() => f.tokens.verifyRefreshToken(pair.access_token)).to.throw(WrongTokenTypeError);
      expect(() => f.tokens.verifyAccessToken(pair.refresh_token)).to.throw(WrongTokenTypeError);
      f.clock.advanceSeconds(1800);
      expect(() => f.tokens.verifyAccessToken(pair.access_token)).to.throw(TokenExpiredError);
      expect(f.tokens.verify(pair.access_token, undefined, true).sub).to.equal('7');
    });

    it('keeps refresh tokens out of it: they are spent on first use', () => {
      const { refresh_token } = f.tokens.createTokenPair({ sub: '7' });
      const first = f.tokens.verifyRefreshToken(refresh_token);
      expect(f.tokens.verifyRefreshToken(refresh_token)).not.to.equal(first);
      expect(Object.isFrozen(first)).to.equal(false);
    });

    it('is off with VERIFIED_TOKEN_CACHE_SIZE=0: every use is a full verification', () => {
      const uncached = createSecurityFixture({ VERIFIED_TOKEN_CACHE_SIZE: '0' });
      const token = uncached.tokens.createAccessToken({ sub: '7', roles: ['user'] });
      const first = uncached.tokens.verifyAccessToken(token);
      expect(uncached.tokens.verifyAccessToken(token)).not.to.equal(first);
      expect(first).to.include({ sub: '7', type: 'access' });
    });

    it('does not cache what passed only because expiry was waived', () => {
      const token = f.tokens.createAccessToken({ sub: '7' });
      f.clock.advanceSeconds(3600);
      expect(f.tokens.verify(token, undefined, true).sub).to.equal('7');
      expect(() => f.tokens.verifyAccessToken(token)).to.throw(TokenExpiredError);
    });
  });

  describe('takeRevocationCutoff', () => {
    it('moves iat_ms past the cutoff without moving iat into the future', () => {
      const now = f.clock.now();
      expect(f.tokens.takeRevocationCutoff()).to.equal(now);
      const claims = decodePayload(f.tokens.createAccessToken({ sub: 'a' }));
      expect(claims['iat_ms']).to.equal(now + 1);
      expect(claims['iat']).to.equal(f.clock.seconds);
      f.clock.advance(5);
      expect(decodePayload(f.tokens.createAccessToken({ sub: 'a' }))['iat_ms']).to.equal(now + 5);
    });

    it('a second cutoff in the same millisecond covers the tokens issued since the first', () => {
      const first = f.tokens.takeRevocationCutoff();
      const between = decodePayload(f.tokens.createAccessToken({ sub: 'a' }))['iat_ms'] as number;
      const second = f.tokens.takeRevocationCutoff();
      expect(between).to.be.above(first);
      expect(second).to.be.at.least(between);
      expect(decodePayload(f.tokens.createAccessToken({ sub: 'a' }))['iat_ms']).to.be.above(second);
    });
  });
});
