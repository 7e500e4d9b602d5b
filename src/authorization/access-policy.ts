import { ConfigurationError, ForbiddenError } from '../errors/security-errors';
import type { Principal } from '../auth/principal';

/** Roles, what each includes, and the permissions each grants. Checked once, at start. */
export interface AccessPolicyConfig {
  /**
   * Each role and the roles it includes, directly: `{ admin: ['editor'], editor: ['user'] }`
   * makes an admin an editor and a user too. Cycles are refused.
   */
  hierarchy?: Readonly<Record<string, readonly string[]>>;
  /**
   * Permission strings granted to a role, and so to every role that includes it:
   * `{ user: ['profile:read'], admin: ['users:read'] }`.
   */
  permissions?: Readonly<Record<string, readonly string[]>>;
}

/**
 * Who may do what: a role hierarchy and permissions, expanded once at start into, for each
 * configured role, the set of everything it grants (itself, the roles it includes, their
 * permissions). A requirement in `@Authorized(...)` is a role or a permission, matched by
 * exact string equality: no wildcards, no case folding, no prefixes (`users:*` grants
 * nothing but a permission literally named `users:*`, so it is refused at start).
 *
 * @example
 * ```ts
 * configureApp(app, {
 *   controllers: [...],
 *   accessPolicy: new AccessPolicy({
 *     hierarchy: { admin: ['editor'], editor: ['user'] },
 *     permissions: { user: ['profile:read'], editor: ['posts:write'] },
 *   }),
 * });
 * // @Authorized('posts:write') then admits editors and admins.
 * ```
 */
export class AccessPolicy {
  private readonly grants = new Map<string, ReadonlySet<string>>();

  constructor(config: AccessPolicyConfig = {}) {
    const hierarchy = config.hierarchy ?? {};
    const permissions = config.permissions ?? {};
    checkNames('hierarchy', hierarchy);
    checkNames('permissions', permissions);
    const roles = new Set([...Object.keys(hierarchy), ...Object.values(hierarchy).flat()]);
    for (const role of Object.keys(permissions)) roles.add(role);
    for (const permission of Object.values(permissions).flat()) {
      if (roles.has(permission)) {
        throw new ConfigurationError(
          'permissions',
          `grant "${permission}", which is also a role: roles and permissions must have distinct names`,
        );
      }
    }
    for (const role of roles) {
      const included = includedRoles(role, hierarchy, []);
      const granted = new Set(included);
      for (const each of included) for (const p of own(permissions, each)) granted.add(p);
      this.grants.set(role, granted);
    }
  }

  /**
   * `true` when `roles` grant any of `required` (roles or permissions), directly or through
   * the hierarchy. An empty `required` asks for nothing. A role the policy does not know
   * grants itself only.
   */
  allows(roles: readonly string[], required: readonly string[]): boolean {
    if (required.length === 0) return true;
    for (const role of roles) {
      const granted = this.grants.get(role);
      if (granted === undefined) {
        if (required.includes(role)) return true;
      } else if (required.some((need) => granted.has(need))) {
        return true;
      }
    }
    return false;
  }

  /** Everything `roles` grant: the roles themselves, the roles they include, their permissions. */
  grantsOf(roles: readonly string[]): ReadonlySet<string> {
    const all = new Set<string>();
    for (const role of roles) for (const grant of this.grants.get(role) ?? [role]) all.add(grant);
    return all;
  }

  /**
   * Object-level access for "only the owner or …" routes: `true` when the principal's `sub`
   * is `ownerId` (compared as strings, as `sub` always is) or its roles grant any of `grants`.
   */
  isOwnerOr(principal: Principal, ownerId: string | number, grants: readonly string[]): boolean {
    return principal.claims.sub === String(ownerId) || this.allows(principal.roles, grants);
  }

  /** `isOwnerOr`, throwing `ForbiddenError` (403 insufficient_scope) when it is `false`. */
  assertOwnerOr(principal: Principal, ownerId: string | number, grants: readonly string[]): void {
    if (grants.length === 0) throw new TypeError('assertOwnerOr needs at least one grant');
    if (!this.isOwnerOr(principal, ownerId, grants)) throw new ForbiddenError();
  }
}

/** Names must be non-empty, without surrounding blanks and without `*` (exact matching only). */
function checkNames(
  section: 'hierarchy' | 'permissions',
  entries: Readonly<Record<string, readonly string[]>>,
): void {
  for (const [role, values] of Object.entries(entries) as [string, unknown][]) {
    if (!Array.isArray(values)) {
      throw new ConfigurationError(section, `of "${role}" must be an array of strings`);
    }
    for (const name of [role, ...(values as unknown[])]) {
      if (typeof name !== 'string' || name === '' || name.trim() !== name || name.includes('*')) {
        throw new ConfigurationError(
          section,
          `names must be non-empty strings without surrounding blanks or "*" (matching is exact)`,
        );
      }
    }
  }
}

/** `role` and every role it includes, transitively; a cycle is refused, naming its path. */
function includedRoles(
  role: string,
  hierarchy: Readonly<Record<string, readonly string[]>>,
  path: readonly string[],
): string[] {
  if (path.includes(role)) {
    throw new ConfigurationError('hierarchy', `has a cycle: ${[...path, role].join(' → ')}`);
  }
  const all = [role];
  for (const child of own(hierarchy, role)) {
    for (const each of includedRoles(child, hierarchy, [...path, role])) {
      if (!all.includes(each)) all.push(each);
    }
  }
  return all;
}

/** A config entry by own key only: a role named `constructor` is not `Object.prototype`'s. */
function own(entries: Readonly<Record<string, readonly string[]>>, key: string): readonly string[] {
  return Object.hasOwn(entries, key) ? (entries[key] ?? []) : [];
}
