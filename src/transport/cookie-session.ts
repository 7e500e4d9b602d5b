import { stringifySetCookie } from 'cookie';
import type { Context } from 'koa';
import type { Clock } from '../clock/clock';
import type { CookieSettings } from '../config/cookie-settings';
import type { TokenPair } from '../tokens/token-pair';
import type { TokenService } from '../tokens/token-service';
import type { CookieNames } from './cookie-names';
import { appendKeptHeader } from '../koa/error-kept-headers';
import { readCookieValues } from './request-cookie';

/** What a cookie login or refresh answers: no token, only what the page needs. */
export interface CookieSessionAnswer {
  /** The session's CSRF token, for the `X-CSRF-Token` header (also in a readable cookie). */
  csrf_token: string;
  /** Seconds until the access cookie expires (then refresh). */
  expires_in: number;
}

/**
 * Writes a token pair into the cookie transport's cookies, and clears them. The access token
 * goes in an `HttpOnly` `__Host-` cookie (`Path=/`), the refresh token in an `HttpOnly`
 * cookie sent only to the refresh route (`refreshPath`), the CSRF token in a cookie the page
 * can read; all `Secure` (unless `COOKIE_SECURE=false` in development) and `SameSite`. Max-Age
 * follows each token's own expiry.
 */
export class CookieSession {
  constructor(
    private readonly settings: CookieSettings,
    readonly names: CookieNames,
    private readonly tokens: TokenService,
    private readonly clock: Clock,
  ) {}

  /**
   * The request's refresh cookies (it reaches the refresh route only): one, normally; more
   * when a sibling subdomain planted one beside ours, and the caller keeps the one whose
   * session the request's CSRF token names.
   */
  refreshTokens(ctx: Context): string[] {
    return readCookieValues(ctx.req, this.names.refresh);
  }

  /** Sets the three cookies for a pair just issued; the answer carries no token. */
  start(ctx: Context, pair: TokenPair, refreshPath: string): CookieSessionAnswer {
    const refresh = this.tokens.verifyRefreshToken(pair.refresh_token);
    const sessionSeconds = Math.max(0, refresh.exp - Math.floor(this.clock.now() / 1000));
    const csrfToken = refresh.fam_csrf;
    if (csrfToken === undefined) throw new TypeError('the pair belongs to no session of a login');
    this.set(ctx, this.names.access, pair.access_token, '/', pair.expires_in, true);
    this.set(ctx, this.names.refresh, pair.refresh_token, refreshPath, sessionSeconds, true);
    this.set(ctx, this.names.csrf, csrfToken, '/', sessionSeconds, false);
    return { csrf_token: csrfToken, expires_in: pair.expires_in };
  }

  /**
   * Sends the three cookies expired; with `evenOnError`, an error answer of this request
   * sends them too (a refresh refused because the session is over).
   */
  clear(ctx: Context, refreshPath: string, evenOnError = false): void {
    this.set(ctx, this.names.access, '', '/', 0, true, evenOnError);
    this.set(ctx, this.names.refresh, '', refreshPath, 0, true, evenOnError);
    this.set(ctx, this.names.csrf, '', '/', 0, false, evenOnError);
  }

  private set(
    ctx: Context,
    name: string,
    value: string,
    path: string,
    maxAge: number,
    httpOnly: boolean,
    evenOnError = false,
  ): void {
    (evenOnError ? appendKeptHeader : appendHeader)(
      ctx,
      'Set-Cookie',
      stringifySetCookie({
        name,
        value,
        path,
        maxAge,
        httpOnly,
        secure: this.settings.secure,
        sameSite: this.settings.sameSite,
      }),
    );
  }
}

function appendHeader(ctx: Context, name: string, value: string): void {
  ctx.append(name, value);
}
