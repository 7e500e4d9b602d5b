import { expect } from 'chai';
import { applicationClaims, normalizeTokenData } from '../../src/tokens/token-data';

describe('token data', () => {
  it('turns an integer sub into a string and keeps the app claims', () => {
    expect(normalizeTokenData({ sub: 123, user_id: 123 })).to.deep.equal({
      sub: '123',
      claims: { user_id: 123 },
    });
  });

  for (const data of [null, 'sub', ['sub'], {}, { sub: '' }, { sub: 1.5 }, { sub: { id: 1 } }]) {
    it(`refuses ${JSON.stringify(data)} with a TypeError`, () => {
      expect(() => normalizeTokenData(data)).to.throw(TypeError);
    });
  }

  for (const claim of [
    'exp',
    'iat',
    'nbf',
    'jti',
    'type',
    'iat_ms',
    'fam',
    'fam_exp',
    'iss',
    'aud',
  ]) {
    it(`refuses the reserved claim ${claim}`, () => {
      expect(() => normalizeTokenData({ sub: 'a', [claim]: 1 })).to.throw(TypeError, `"${claim}"`);
    });
  }

  it('B8 refuses an own "__proto__" key (as JSON.parse makes one)', () => {
    const data: unknown = JSON.parse('{"sub":"a","__proto__":{"roles":["admin"]}}');
    expect(() => normalizeTokenData(data)).to.throw(TypeError, '"__proto__"');
  });

  it('takes only application claims back out of verified claims', () => {
    const claims = JSON.parse(
      '{"sub":"a","jti":"j","exp":1,"type":"access","roles":["user"],"__proto__":{"x":1}}',
    ) as Record<string, unknown>;
    const result = applicationClaims(claims);
    expect(result).to.deep.equal({ roles: ['user'] });
    expect(Object.getPrototypeOf(result)).to.equal(Object.prototype);
  });
});
