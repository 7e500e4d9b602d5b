import { expect } from 'chai';
import { MAX_TOKEN_LENGTH, hasCompactJwsShape } from '../../src/tokens/jws-shape';

describe('hasCompactJwsShape', () => {
  it('accepts three non-empty base64url segments', () => {
    expect(hasCompactJwsShape('eyJh.eyJz.c2ln')).to.equal(true);
  });

  for (const token of [
    '',
    'a.b',
    'a.b.',
    '.b.c',
    'a..c',
    'a.b.c.d',
    'a.b.c=',
    'a b.c.d',
    'a.b.c\n',
    42,
    null,
  ]) {
    it(`refuses ${JSON.stringify(token)}`, () => expect(hasCompactJwsShape(token)).to.equal(false));
  }

  it('E6 refuses anything over 8 KiB without looking further', () => {
    const segment = 'a'.repeat(MAX_TOKEN_LENGTH);
    expect(hasCompactJwsShape(`${segment}.b.c`)).to.equal(false);
  });
});
