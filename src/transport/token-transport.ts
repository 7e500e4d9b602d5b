/**
 * How a token travels: in the `Authorization: Bearer` header, or in the cookie transport's
 * `HttpOnly` cookie. Separate from what the token is (the JWT pair) and how it is checked.
 */
export type TokenTransport = 'bearer' | 'cookie';

export const TOKEN_TRANSPORTS: readonly TokenTransport[] = ['bearer', 'cookie'];

/** A request's access token and the transport it came by. */
export interface RequestCredential {
  token: string;
  transport: TokenTransport;
}
