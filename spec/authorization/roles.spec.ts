import { expect } from 'chai';
import { normalizeRoles } from '../../src/authorization/roles';

describe('roles', () => {
  it('I3 a missing, null or string roles claim grants no role', () => {
    for (const value of [undefined, null, 'admin', 42, { 0: 'admin' }]) {
      expect(normalizeRoles(value)).to.deep.equal([]);
    }
    expect(normalizeRoles(['admin', 7, null, 'user'])).to.deep.equal(['admin', 'user']);
  });
});
