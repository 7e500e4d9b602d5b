import type { IncomingMessage } from 'node:http';
import { InvalidRequestError } from '../errors/security-errors';

/** Largest cookie value read: browsers keep at most 4096 bytes per cookie. */
export const MAX_COOKIE_VALUE_LENGTH = 4096;

/**
 * The value of the cookie `name` in a request's `Cookie` header (Node joins several `Cookie`
 * headers into one with `; `); `undefined` when absent or empty.
 * @throws InvalidRequestError when the cookie is there twice (a cookie planted beside ours
 *   with another path or domain: which one the browser meant cannot be told), or is longer
 *   than any cookie a browser keeps.
 */
export function readCookie(request: IncomingMessage, name: string): string | undefined {
  const values = readCookieValues(request, name);
  if (values.length > 1) throw new InvalidRequestError('duplicate_cookie');
  return values[0];
}

/** Most values of one cookie name read: more is no browser's doing. */
const MAX_SAME_NAME = 4;

/**
 * Every non-empty value of the cookie `name`, in the header's order: for a cookie that a
 * sibling subdomain can plant beside ours (a `__Secure-` one with a `Domain`), so that the
 * caller picks the one that proves itself.
 * @throws InvalidRequestError for a value longer than any cookie a browser keeps, or more
 *   than a few values.
 */
export function readCookieValues(request: IncomingMessage, name: string): string[] {
  const header = request.headers.cookie;
  if (header === undefined || !header.includes(name)) return [];
  const values: string[] = [];
  let seen = 0;
  for (const pair of header.split(';')) {
    const equals = pair.indexOf('=');
    if (equals < 0 || pair.slice(0, equals).trim() !== name) continue;
    if (++seen > MAX_SAME_NAME) throw new InvalidRequestError('duplicate_cookie');
    const value = unquote(pair.slice(equals + 1).trim());
    if (value.length > MAX_COOKIE_VALUE_LENGTH) throw new InvalidRequestError('oversized_cookie');
    if (value !== '') values.push(value);
  }
  return values;
}

/** RFC 6265 §4.1.1 allows a value in double quotes. */
function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"')
    ? value.slice(1, -1)
    : value;
}
