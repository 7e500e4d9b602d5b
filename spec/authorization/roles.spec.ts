import { expect } from 'chai';
import { hasAnyRole, normalizeRoles } from '../../src/authorization/roles';

describe('roles', () => {
  it('I3 a missing, null or string roles claim grants no role', () => {
    for (const value of [undefined, null, 'admin', 42, { 0: 'admin' }]) {
      expect(normalizeRoles(value)).to.deep.equal([]);
    }
    expect(normalizeRoles(['admin', 7, null, 'user'])).to.deep.equal(['admin', 'user']);
  });

  it('I4 matches role names exactly', () => {
    expect(hasAnyRole(['admin'], ['admin'])).to.equal(true);
    for (const granted of [['Admin'], ['admin '], ['superadmin'], ['adm'], []]) {
      expect(hasAnyRole(granted, ['admin'])).to.equal(false);
    }
  });

  it('any one of the required roles suffices; none required means any user', () => {
    expect(hasAnyRole(['editor'], ['admin', 'editor'])).to.equal(true);
    expect(hasAnyRole([], [])).to.equal(true);
  });
});
