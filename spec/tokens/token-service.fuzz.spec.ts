import { expect } from 'chai';
import fc from 'fast-check';
import { InvalidTokenError } from '../../src/errors/security-errors';
import { accessClaims } from '../helpers/claims-builder';
import { forgeToken } from '../helpers/forge-token';
import { fuzzRuns } from '../helpers/fuzz-runs';
import { createSecurityFixture } from '../helpers/security-fixture';
import type { SecurityFixture } from '../helpers/security-fixture';
import { TEST_SECRET_KEY } from '../helpers/test-environment';

/** Verifies; `undefined` when refused with an InvalidTokenError, and only then. */
function verdict(f: SecurityFixture, token: string): unknown {
  try {
    return f.tokens.verify(token);
  } catch (error) {
    expect(error).to.be.instanceOf(InvalidTokenError);
    return undefined;
  }
}

describe('TokenService verification under fuzzing', () => {
  let f: SecurityFixture;
  let valid: string;
  beforeEach(() => {
    f = createSecurityFixture();
    valid = f.tokens.createAccessToken({ sub: '42', roles: ['user'] });
  });

  it('refuses arbitrary strings with InvalidTokenError, never another exception', () => {
    const jwtish = fc
      .array(fc.base64String(), { minLength: 1, maxLength: 4 })
      .map((parts) => parts.join('.').replace(/\+/g, '-').replace(/\//g, '_').replace(/=/g, ''));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), jwtish), (input) => {
        expect(verdict(f, input)).to.equal(undefined);
      }),
      { numRuns: fuzzRuns(2000) },
    );
  });

  it('never accepts a mutation of a valid token', () => {
    const mutation = fc.oneof(
      fc.record({
        kind: fc.constant('replace' as const),
        at: fc.nat(),
        char: fc.string({ minLength: 1, maxLength: 1 }),
      }),
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), char: fc.constant('') }),
      fc.record({
        kind: fc.constant('insert' as const),
        at: fc.nat(),
        char: fc.string({ minLength: 1, maxLength: 2 }),
      }),
    );
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
        let token = valid;
        for (const { kind, at, char } of mutations) {
          const i = at % (token.length + 1);
          token =
            kind === 'insert'
              ? token.slice(0, i) + char + token.slice(i)
              : token.slice(0, i) + char + token.slice(i + 1);
        }
        fc.pre(token !== valid);
        expect(verdict(f, token)).to.equal(undefined);
      }),
      { numRuns: fuzzRuns(2000) },
    );
  });

  it('never accepts a token signed with another key, whatever its header and claims', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.constantFrom('HS256', 'HS384', 'HS512', 'none', 'RS256', 'hs256'),
        fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 4 }),
        (key, alg, extra) => {
          fc.pre(key !== TEST_SECRET_KEY);
          const token = forgeToken({ alg, ...extra }, accessClaims(f.clock, extra), { key });
          expect(verdict(f, token)).to.equal(undefined);
        },
      ),
      { numRuns: fuzzRuns(1000) },
    );
  });

  it('accepts a token signed with our key only when its claims keep every rule', () => {
    const claimValue = fc.oneof(fc.jsonValue(), fc.constant(undefined));
    fc.assert(
      fc.property(
        fc.record(
          {
            exp: claimValue,
            iat: claimValue,
            nbf: claimValue,
            sub: claimValue,
            jti: claimValue,
            type: claimValue,
            iat_ms: claimValue,
          },
          { requiredKeys: [] },
        ),
        (overrides) => {
          const claims = verdict(
            f,
            forgeToken({ alg: 'HS256' }, accessClaims(f.clock, overrides)),
          ) as Record<string, unknown> | undefined;
          if (claims === undefined) return;
          const now = f.clock.now() / 1000;
          expect(claims['type']).to.be.oneOf(['access', 'refresh']);
          expect(claims['sub']).to.be.a('string').and.not.equal('');
          expect(claims['jti']).to.be.a('string').and.not.equal('');
          expect(claims['exp']).to.be.a('number').above(now);
          expect(claims['iat']).to.be.a('number').at.most(now);
          expect((claims['exp'] as number) - (claims['iat'] as number)).to.be.at.most(
            claims['type'] === 'access' ? 1800 : 7 * 86400,
          );
        },
      ),
      { numRuns: fuzzRuns(2000) },
    );
  });
});
