import { expect } from 'chai';
import { deepFreeze } from '../../src/tokens/deep-freeze';

describe('deepFreeze', () => {
  it('freezes an object and what it holds', () => {
    const value = deepFreeze({ roles: ['user'], nested: { a: 1 } });
    expect(Object.isFrozen(value)).to.equal(true);
    expect(Object.isFrozen(value.roles)).to.equal(true);
    expect(Object.isFrozen(value.nested)).to.equal(true);
    expect(() => value.roles.push('admin')).to.throw(TypeError);
  });
});
