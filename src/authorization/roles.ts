/**
 * The roles of a user or a claim, as a list of strings. Anything that is not an array
 * (missing, null, a string such as `"admin"`) grants no role; non-string entries are dropped.
 */
export function normalizeRoles(value: unknown): readonly string[] {
  if (!Array.isArray(value)) return [];
  return value.filter((role): role is string => typeof role === 'string');
}
