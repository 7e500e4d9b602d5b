import { expect } from 'chai';
import { exceedsDepth } from '../../src/koa/body-depth';

/** `depth` arrays, one inside the other. */
function arrays(depth: number): unknown {
  let value: unknown = [];
  for (let i = 1; i < depth; i++) value = [value];
  return value;
}

describe('exceedsDepth', () => {
  it('counts the body itself as depth 1, and objects and arrays alike', () => {
    expect(exceedsDepth({}, 1)).to.equal(false);
    expect(exceedsDepth({ a: {} }, 1)).to.equal(true);
    expect(exceedsDepth({ a: [{ b: 1 }] }, 3)).to.equal(false);
    expect(exceedsDepth({ a: [{ b: [] }] }, 3)).to.equal(true);
  });

  it('scalars and null do not count as a level', () => {
    expect(exceedsDepth({ a: null, b: 'x', c: 1, d: true }, 1)).to.equal(false);
    expect(exceedsDepth('text', 1)).to.equal(false);
  });

  it('finds the deep branch among shallow ones', () => {
    const body = { wide: Array.from({ length: 1000 }, () => ({})), deep: arrays(40) };
    expect(exceedsDepth(body, 32)).to.equal(true);
    expect(exceedsDepth({ wide: body.wide }, 32)).to.equal(false);
  });

  it('stops at the limit on a body a million levels deep, without recursion', () => {
    expect(exceedsDepth(arrays(1_000_000), 32)).to.equal(true);
  });

  it('reads objects without a prototype, as qs makes them', () => {
    const form = Object.assign(Object.create(null) as object, { a: { b: { c: '1' } } });
    expect(exceedsDepth(form, 3)).to.equal(false);
    expect(exceedsDepth(form, 2)).to.equal(true);
  });
});
