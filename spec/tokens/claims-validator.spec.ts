import { expect } from 'chai';
import {
  InvalidTokenError,
  TokenExpiredError,
  WrongTokenTypeError,
} from '../../src/errors/security-errors';
import type { ClaimsPolicy } from '../../src/tokens/claims-validator';
import { validateClaims } from '../../src/tokens/claims-validator';
import { accessClaims } from '../helpers/claims-builder';
import { forgeToken } from '../helpers/forge-token';
import { FrozenClock } from '../helpers/frozen-clock';
import { createSecurityFixture } from '../helpers/security-fixture';

const policy: ClaimsPolicy = {
  issuer: undefined,
  audience: undefined,
  leewaySeconds: 0,
  maxLifetimeSeconds: { access: 1800, refresh: 7 * 86400 },
  maxSessionSeconds: 7 * 86400,
};

/** Catalogue section B: claims and time, on claims whose signature was checked. */
describe('validateClaims (catalogue B)', () => {
  const clock = new FrozenClock();

  function failure(payload: unknown, rules: Partial<ClaimsPolicy> = {}): InvalidTokenError {
    try {
      validateClaims(payload, 'access', clock.now(), { ...policy, ...rules });
    } catch (error) {
      expect(error).to.be.instanceOf(InvalidTokenError);
      return error as InvalidTokenError;
    }
    throw new Error('claims were accepted');
  }

  it('accepts the control claims', () => {
    expect(validateClaims(accessClaims(clock), 'access', clock.now(), policy).sub).to.equal('42');
  });

  for (const claim of ['exp', 'iat', 'jti', 'sub', 'iat_ms']) {
    it(`B1 refuses a token without ${claim}`, () => {
      const error = failure(accessClaims(clock, { [claim]: undefined }));
      expect(error.claim).to.equal(claim);
    });
  }

  it('B1 refuses a token without a type', () => {
    expect(failure(accessClaims(clock, { type: undefined })).claim).to.equal('type');
    expect(failure(accessClaims(clock, { type: 'id' })).claim).to.equal('type');
  });

  it('B2 refuses exp = now', () => {
    const error = failure(
      accessClaims(clock, { iat: clock.seconds - 10, exp: clock.now() / 1000 }),
    );
    expect(error).to.be.instanceOf(TokenExpiredError);
  });

  for (const exp of ['9999999999', null, true, 1e308, -1, Number.NaN, [1]]) {
    it(`B3 refuses exp = ${JSON.stringify(exp)}`, () => {
      expect(failure(accessClaims(clock, { exp })).claim).to.equal('exp');
    });
  }

  it('B3 refuses a lifetime longer than configured, for each type', () => {
    expect(failure(accessClaims(clock, { exp: clock.seconds + 1801 })).reason).to.equal('lifetime');
    const refresh = accessClaims(clock, {
      type: 'refresh',
      fam: 'f',
      exp: clock.seconds + 7 * 86400 + 1,
      fam_exp: clock.seconds + 7 * 86400 + 1,
    });
    expect(() => validateClaims(refresh, 'refresh', clock.now(), policy)).to.throw(
      InvalidTokenError,
    );
  });

  it('B3 refuses exp at or before iat (reachable only within the leeway)', () => {
    const claims = accessClaims(clock, { iat: clock.seconds + 30, exp: clock.seconds + 30 });
    expect(failure(claims, { leewaySeconds: 60 }).reason).to.equal('lifetime');
  });

  it('B4 refuses iat and nbf in the future, beyond the leeway only', () => {
    const future = { iat: clock.seconds + 5, exp: clock.seconds + 600 };
    expect(failure(accessClaims(clock, future)).claim).to.equal('iat');
    expect(
      validateClaims(accessClaims(clock, future), 'access', clock.now(), {
        ...policy,
        leewaySeconds: 5,
      }).sub,
    ).to.equal('42');
    expect(failure(accessClaims(clock, { nbf: clock.seconds + 1 })).claim).to.equal('nbf');
    expect(failure(accessClaims(clock, { nbf: 'soon' })).claim).to.equal('nbf');
    expect(
      validateClaims(accessClaims(clock, { nbf: clock.seconds }), 'access', clock.now(), policy)
        .sub,
    ).to.equal('42');
  });

  it('B5 refuses a wrong iss or aud without saying what was expected', () => {
    const rules = { issuer: 'https://auth.example', audience: 'api' };
    const good = { iss: 'https://auth.example', aud: ['other', 'api'] };
    expect(
      validateClaims(accessClaims(clock, good), 'access', clock.now(), { ...policy, ...rules }).sub,
    ).to.equal('42');
    for (const overrides of [
      { iss: 'https://evil.example' },
      { aud: 'other' },
      { aud: undefined },
      { iss: undefined },
    ]) {
      const error = failure(accessClaims(clock, { ...good, ...overrides }), rules);
      expect(error.message).to.equal('The token is invalid.');
      expect(JSON.stringify(error)).not.to.contain('auth.example');
    }
  });

  for (const payload of ['a string', ['sub', '42'], 42, null, true]) {
    it(`B6 refuses the claims set ${JSON.stringify(payload)}`, () => {
      expect(failure(payload).reason).to.equal('claims_not_object');
    });
  }

  it('checks the type before expiry (wrong type wins over expired)', () => {
    const expiredRefresh = accessClaims(clock, {
      type: 'refresh',
      exp: clock.seconds - 1,
      iat: clock.seconds - 60,
    });
    expect(failure(expiredRefresh)).to.be.instanceOf(WrongTokenTypeError);
  });

  it('ties iat_ms to iat: a token cannot carry an issue time in ms far from its iat', () => {
    for (const iat_ms of [
      clock.now() + 1000,
      clock.now() - 1000,
      1e15,
      Number.MAX_SAFE_INTEGER,
      clock.now() + 0.5,
    ]) {
      expect(failure(accessClaims(clock, { iat_ms })).claim, String(iat_ms)).to.equal('iat_ms');
    }
  });

  it('an access token of a family carries its session start, no later than itself', () => {
    expect(
      validateClaims(
        accessClaims(clock, { fam: 'f', fam_iat_ms: clock.now() }),
        'access',
        clock.now(),
        policy,
      ).fam,
    ).to.equal('f');
    expect(failure(accessClaims(clock, { fam: 'f' })).claim).to.equal('fam_iat_ms');
    // Another instance's clock may be ahead by the leeway and a little more, not by minutes.
    expect(
      validateClaims(
        accessClaims(clock, { fam: 'f', fam_iat_ms: clock.now() + 60_000 }),
        'access',
        clock.now(),
        policy,
      ).fam,
    ).to.equal('f');
    expect(
      failure(accessClaims(clock, { fam: 'f', fam_iat_ms: clock.now() + 121_001 })).claim,
    ).to.equal('fam_iat_ms');
  });

  it('allows an expired token only when asked (revocation of expired tokens)', () => {
    const expired = accessClaims(clock, { iat: clock.seconds - 600, exp: clock.seconds - 1 });
    expect(validateClaims(expired, 'access', clock.now(), policy, true).sub).to.equal('42');
  });

  it('refuses a refresh token without its family or past its family end', () => {
    const refresh = (overrides: Record<string, unknown>) =>
      accessClaims(clock, {
        type: 'refresh',
        fam: 'f',
        fam_exp: clock.seconds + 3600,
        fam_iat_ms: clock.now() - 60_000,
        fam_gen: 3,
        ...overrides,
      });
    expect(validateClaims(refresh({}), 'refresh', clock.now(), policy).fam).to.equal('f');
    for (const overrides of [
      { fam: undefined },
      { fam: 7 },
      { fam_exp: undefined },
      { exp: clock.seconds + 3601 },
      // Item 17: a non-integer family end would fail only when the rotation signs.
      { fam_exp: clock.seconds + 3600.5 },
      { fam_gen: undefined },
      { fam_gen: -1 },
      { fam_gen: 1.5 },
      { fam_gen: '1' },
      { fam_iat_ms: undefined },
      { fam_iat_ms: clock.now() + 121_001 },
      { fam_iat_ms: clock.now() - 7 * 86400_000 - 1 },
      { fam_iat_ms: 1.5 },
    ]) {
      expect(() => validateClaims(refresh(overrides), 'refresh', clock.now(), policy)).to.throw(
        InvalidTokenError,
      );
    }
  });
});

describe('TokenService: claims through a signed token (catalogue B)', () => {
  it('B6 a signed claims set that is a JSON string or array is refused', () => {
    const f = createSecurityFixture();
    for (const payload of ['"just a string"', '["sub","42"]', '42']) {
      expect(() => f.tokens.verifyAccessToken(forgeToken({ alg: 'HS256' }, payload))).to.throw(
        InvalidTokenError,
      );
    }
  });

  it('B8 "__proto__": {"roles": ["admin"]} in a payload grants nothing', () => {
    const f = createSecurityFixture();
    const json = JSON.stringify(accessClaims(f.clock, { roles: undefined })).replace(
      /}$/,
      ',"__proto__":{"roles":["admin"]}}',
    );
    const claims = f.tokens.verifyAccessToken(forgeToken({ alg: 'HS256' }, json));
    expect(claims['roles']).to.equal(undefined);
    expect(({} as Record<string, unknown>)['roles']).to.equal(undefined);
  });

  it('E6 a token over 8 KiB is refused before it is decoded', () => {
    const f = createSecurityFixture();
    const huge = forgeToken({ alg: 'HS256' }, accessClaims(f.clock, { pad: 'x'.repeat(9000) }));
    try {
      f.tokens.verifyAccessToken(huge);
      expect.fail('accepted');
    } catch (error) {
      expect((error as InvalidTokenError).reason).to.equal('malformed');
    }
  });
});
