/**
 * The roles of a user or a claim, as a list of strings. Anything that is not an array
 * (missing, null, a string such as `"admin"`) grants no role; non-string entries are dropped.
 */
export function normalizeRoles(value: unknown): readonly string[] {
  if (!Array.isArray(value)) return [];
  return value.filter((role): role is string => typeof role === 'string');
}

/**
 * `true` when `granted` holds any of `required`, by exact string equality: `"Admin"`,
 * `"admin "` and `"superadmin"` are not `"admin"`. An empty `required` asks for no role.
 */
export function hasAnyRole(granted: readonly string[], required: readonly string[]): boolean {
  return required.length === 0 || required.some((role) => granted.includes(role));
}
