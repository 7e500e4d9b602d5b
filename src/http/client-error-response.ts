import { STATUS_CODES } from 'node:http';
import { toHttpProblem } from '../koa/http-problem';

/**
 * The status of Node's own answer to a request it could not read (`clientError`): 408 for a
 * request or its headers not received in time, 431 for headers over the size limit, 413 for
 * chunk extensions over theirs, and 400 for anything else the parser refused.
 */
export function clientErrorStatus(code: unknown): number {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 408;
    case 'HPE_HEADER_OVERFLOW':
      return 431;
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return 413;
    default:
      return 400;
  }
}

/**
 * A complete HTTP/1.1 response with the contract's JSON error body for `status`, the same as
 * the error layer gives, and `Connection: close`. Nothing of the request is in it: the
 * parser's error carries the raw bytes it refused, and they are never quoted.
 */
export function clientErrorResponse(status: number): string {
  const answer = toHttpProblem({ status });
  const body = JSON.stringify({ error: answer.error, error_description: answer.description });
  return [
    `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? 'Error'}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Cache-Control: no-store',
    'X-Content-Type-Options: nosniff',
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}
