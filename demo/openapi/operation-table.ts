import type { ErrorAnswer } from './error-responses';
import type { SuccessSchema } from './success-schemas';

/**
 * What routing-controllers' metadata cannot say of one operation. The rest is derived from
 * it: every operation may answer the body parser's 400, 413 and 415 and (unless `usesStore`
 * is false) 503; an `@Authorized` one 401, and 403 when it requires roles; with the cookie
 * transport on, a state-changing authorized one `403 csrf_failed`.
 */
export interface OperationEntry {
  /** The success body's schema (`X[]`: an array of X); omitted only for `@OnUndefined` actions. */
  returns?: SuccessSchema | `${SuccessSchema}[]`;
  /** The operation's own error answers, beyond the derived ones. */
  errors?: readonly ErrorAnswer[];
  /** The body may also be the OAuth2 form (RFC 6749 §4.3.2, §6). */
  form?: true;
  /** `false`: it needs no store (user, revocation, throttling), so it never answers 503. */
  usesStore?: false;
  /**
   * The CSRF check of a public cookie route: `origin` (the cookie login: an allowed origin,
   * no token) or `token` (an allowed origin and `X-CSRF-Token`). Authorized state-changing
   * operations get `token` from the metadata when the cookie transport is on.
   */
  csrf?: 'origin' | 'token';
  /** A public operation authenticated by the refresh cookie (the cookie refresh). */
  security?: 'refreshCookie';
}

/**
 * The entries of every operation an OpenAPI document describes, by controller class name
 * then method: the operation id is `Controller.method`, and a controller renamed is one line.
 */
export type OperationTable = Readonly<Record<string, Readonly<Record<string, OperationEntry>>>>;

/**
 * The table's entries by operation id, checked against the ids the document describes: an
 * operation without an entry, or an entry without an operation (a controller renamed or
 * moved, a method renamed), is a `TypeError` naming them.
 */
export function entriesByOperationId(
  table: OperationTable,
  operationIds: Iterable<string>,
): Map<string, OperationEntry> {
  const entries = new Map<string, OperationEntry>(
    Object.entries(table).flatMap(([controller, methods]) =>
      Object.entries(methods).map(([method, entry]) => [`${controller}.${method}`, entry]),
    ),
  );
  const described = new Set(operationIds);
  const missing = [...described].filter((id) => !entries.has(id));
  const unknown = [...entries.keys()].filter((id) => !described.has(id));
  if (missing.length > 0) {
    throw new TypeError(`no entry in the operation table for ${missing.join(', ')}`);
  }
  if (unknown.length > 0) {
    throw new TypeError(
      `the operation table names operations no controller has: ${unknown.join(', ')}`,
    );
  }
  return entries;
}
