import { expect } from 'chai';
import type { Principal } from '../../src/auth/principal';
import { AccessPolicy } from '../../src/authorization/access-policy';
import type { AccessPolicyConfig } from '../../src/authorization/access-policy';
import { ConfigurationError, ForbiddenError } from '../../src/errors/security-errors';
import type { AccessTokenClaims } from '../../src/tokens/token-claims';
import { configurationErrorOf } from '../helpers/configuration-error';

const HIERARCHY = { admin: ['editor'], editor: ['user'] };
const PERMISSIONS = { user: ['profile:read'], editor: ['posts:write'], admin: ['users:read'] };

const refusal = (config: AccessPolicyConfig): ConfigurationError =>
  configurationErrorOf(() => new AccessPolicy(config));

function principal(sub: string, roles: string[]): Principal {
  return { user: { id: sub }, claims: { sub } as AccessTokenClaims, roles, transport: 'bearer' };
}

describe('AccessPolicy', () => {
  describe('flat roles (the default)', () => {
    const flat = new AccessPolicy();

    it('I4 matches role names exactly', () => {
      expect(flat.allows(['admin'], ['admin'])).to.equal(true);
      for (const granted of [['Admin'], ['admin '], ['superadmin'], ['adm'], []]) {
        expect(flat.allows(granted, ['admin']), JSON.stringify(granted)).to.equal(false);
      }
    });

    it('any one requirement suffices; none required means any authenticated user', () => {
      expect(flat.allows(['editor'], ['admin', 'editor'])).to.equal(true);
      expect(flat.allows([], [])).to.equal(true);
    });
  });

  describe('hierarchy and permissions', () => {
    const policy = new AccessPolicy({ hierarchy: HIERARCHY, permissions: PERMISSIONS });

    it('a role includes the roles below it, transitively, and not the other way round', () => {
      expect(policy.allows(['admin'], ['user'])).to.equal(true);
      expect(policy.allows(['admin'], ['editor'])).to.equal(true);
      expect(policy.allows(['editor'], ['admin'])).to.equal(false);
      expect(policy.allows(['user'], ['editor'])).to.equal(false);
    });

    it('a permission is granted to its role and every role that includes it', () => {
      expect(policy.allows(['user'], ['profile:read'])).to.equal(true);
      expect(policy.allows(['admin'], ['posts:write'])).to.equal(true);
      expect(policy.allows(['editor'], ['users:read'])).to.equal(false);
      expect(policy.grantsOf(['editor'])).to.deep.equal(
        new Set(['editor', 'user', 'posts:write', 'profile:read']),
      );
    });

    it('matches permissions exactly: no prefixes, no case folding, no wildcard', () => {
      for (const required of ['users', 'users:', 'Users:read', 'users:read ', 'users:*', '*']) {
        expect(policy.allows(['editor', 'user'], [required]), required).to.equal(false);
      }
    });

    it('a role it does not know grants itself only, and Object.prototype names grant nothing', () => {
      expect(policy.allows(['auditor'], ['auditor'])).to.equal(true);
      expect(policy.allows(['auditor'], ['user'])).to.equal(false);
      for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
        expect(policy.allows([name], ['user', 'users:read']), name).to.equal(false);
      }
    });
  });

  describe('refuses at start', () => {
    it('a cycle, naming it', () => {
      expect(refusal({ hierarchy: { admin: ['editor'], editor: ['admin'] } }).message).to.equal(
        'hierarchy has a cycle: admin → editor → admin',
      );
      expect(refusal({ hierarchy: { a: ['b'], b: ['c'], c: ['a'] } }).message).to.equal(
        'hierarchy has a cycle: a → b → c → a',
      );
      expect(refusal({ hierarchy: { root: ['root'] } }).message).to.equal(
        'hierarchy has a cycle: root → root',
      );
    });

    it('a permission named like a role', () => {
      expect(
        refusal({ hierarchy: HIERARCHY, permissions: { admin: ['editor'] } }).message,
      ).to.equal(
        'permissions grant "editor", which is also a role: roles and permissions must have distinct names',
      );
    });

    it('names that exact matching would make surprising, and entries that are not lists', () => {
      for (const config of [
        { hierarchy: { admin: ['editor '] } },
        { hierarchy: { '': ['user'] } },
        { permissions: { user: ['posts:*'] } },
        { permissions: { user: [42] } },
        { permissions: { user: 'profile:read' } },
      ]) {
        expect(refusal(config as unknown as AccessPolicyConfig)).to.be.instanceOf(
          ConfigurationError,
        );
      }
    });

    it('accepts a diamond (two paths to one role) without calling it a cycle', () => {
      const diamond = new AccessPolicy({
        hierarchy: { admin: ['editor', 'auditor'], editor: ['user'], auditor: ['user'] },
      });
      expect(diamond.grantsOf(['admin'])).to.deep.equal(
        new Set(['admin', 'editor', 'auditor', 'user']),
      );
    });
  });

  describe('owner or grant (object-level checks)', () => {
    const policy = new AccessPolicy({ hierarchy: HIERARCHY, permissions: PERMISSIONS });

    it('lets the owner through, comparing ids as strings, and anyone holding the grant', () => {
      expect(policy.isOwnerOr(principal('7', ['user']), 7, ['users:read'])).to.equal(true);
      expect(policy.isOwnerOr(principal('7', ['user']), '7', ['users:read'])).to.equal(true);
      expect(policy.isOwnerOr(principal('1', ['admin']), 7, ['users:read'])).to.equal(true);
      expect(policy.isOwnerOr(principal('8', ['user']), 7, ['users:read'])).to.equal(false);
      expect(policy.isOwnerOr(principal('8', ['editor']), 7, ['users:read'])).to.equal(false);
      expect(policy.isOwnerOr(principal('70', ['user']), 7, ['users:read'])).to.equal(false);
    });

    it('assertOwnerOr throws ForbiddenError for anyone else, and refuses an empty grant list', () => {
      expect(() => policy.assertOwnerOr(principal('8', ['user']), 7, ['users:read'])).to.throw(
        ForbiddenError,
      );
      expect(() => policy.assertOwnerOr(principal('7', ['user']), 7, [])).to.throw(TypeError);
      policy.assertOwnerOr(principal('1', ['admin']), 7, ['admin']);
    });
  });
});
