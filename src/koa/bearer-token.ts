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
  // Node keeps only the first of duplicate Authorization headers in `headers`;
  // `headersDistinct` shows them all.
  const values = request.headersDistinct['authorization'] ?? [];
  if (values.length > 1) throw new InvalidRequestError('duplicate_authorization');
  const value = values[0]?.trim() ?? '';
  if (value === '') return undefined;
  const space = value.indexOf(' ');
  const scheme = space < 0 ? value : value.slice(0, space);
  if (scheme.toLowerCase() !== 'bearer') return undefined;
  const token = value.slice(scheme.length).trim();
  if (token === '') throw new InvalidRequestError('missing_token');
  if (!B64TOKEN.test(token)) throw new InvalidRequestError('malformed_token');
  return token;
}
