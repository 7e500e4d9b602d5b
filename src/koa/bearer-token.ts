import type { IncomingMessage } from 'node:http';
import { InvalidRequestError } from '../errors/security-errors';

/** RFC 6750 §2.1 b64token. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * The bearer token of a request, read from the `Authorization` header only (never from the
 * query string: RFC 9700 §4.3.2). The scheme is case-insensitive (RFC 9110 §11.1).
 *
 * @returns the token; `undefined` when there are no credentials for us (no header, or
 *   another scheme such as Basic).
 * @throws InvalidRequestError for two `Authorization` headers, `Bearer` with no token, or a
 *   token with characters outside b64token (a space included).
 */
export function readBearerToken(request: IncomingMessage): string | undefined {
  const value = authorizationHeader(request)?.trim() ?? '';
  if (value === '') return undefined;
  const space = value.indexOf(' ');
  const scheme = space < 0 ? value : value.slice(0, space);
  if (scheme.toLowerCase() !== 'bearer') return undefined;
  const token = value.slice(scheme.length).trim();
  if (token === '') throw new InvalidRequestError('missing_token');
  if (!B64TOKEN.test(token)) throw new InvalidRequestError('malformed_token');
  return token;
}

/**
 * The one `Authorization` header of a request. Node keeps only the first of duplicates in
 * `headers`, so they are counted in `rawHeaders` (read in place: `headersDistinct` would
 * build an array for every header of every request).
 * @throws InvalidRequestError for two or more `Authorization` headers.
 */
function authorizationHeader(request: IncomingMessage): string | undefined {
  const raw = request.rawHeaders;
  let value: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (name.length !== 13 || name.toLowerCase() !== 'authorization') continue;
    if (value !== undefined) throw new InvalidRequestError('duplicate_authorization');
    value = raw[i + 1];
  }
  return value;
}
