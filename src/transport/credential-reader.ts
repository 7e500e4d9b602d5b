import type { IncomingMessage } from 'node:http';
import { InvalidRequestError } from '../errors/security-errors';
import { readBearerToken } from '../koa/bearer-token';
import { readCookie } from './request-cookie';
import type { RequestCredential, TokenTransport } from './token-transport';

/**
 * Reads a request's access token by the transports the application enabled. With the cookie
 * transport on, a request that carries the access cookie and an `Authorization` header is
 * refused, whatever the two contain: no precedence for an attacker to steer (a header
 * injected beside a victim's cookie, or a cookie planted beside a header).
 */
export class CredentialReader {
  private readonly bearer: boolean;
  private readonly cookie: boolean;

  constructor(
    transports: readonly TokenTransport[],
    private readonly accessCookie: string,
  ) {
    this.bearer = transports.includes('bearer');
    this.cookie = transports.includes('cookie');
  }

  /**
   * The request's access token, or `undefined` when it carries none by an enabled transport.
   * @throws InvalidRequestError for both transports at once, and for a malformed header or
   *   cookie (see `readBearerToken`, `readCookie`).
   */
  read(request: IncomingMessage): RequestCredential | undefined {
    const cookie = this.cookie ? readCookie(request, this.accessCookie) : undefined;
    if (cookie !== undefined) {
      if (request.headers.authorization !== undefined) {
        throw new InvalidRequestError('two_credentials');
      }
      return { token: cookie, transport: 'cookie' };
    }
    if (!this.bearer) return undefined;
    const token = readBearerToken(request);
    return token === undefined ? undefined : { token, transport: 'bearer' };
  }
}
