import type { CookieSettings } from '../config/cookie-settings';

/** The names of the cookie transport's three cookies. */
export interface CookieNames {
  /** The access token: `__Host-` (Secure, `Path=/`, no `Domain`: no subdomain can set it). */
  access: string;
  /** The refresh token: `__Secure-`, its `Path` the refresh route's. */
  refresh: string;
  /** The session's CSRF token, readable by the page (not `HttpOnly`): `__Host-`. */
  csrf: string;
}

/**
 * `__Host-fastcore-access`, `__Secure-fastcore-refresh`, `__Host-fastcore-csrf` for the
 * default prefix; without `Secure` (`COOKIE_SECURE=false`, development only) browsers refuse
 * the `__Host-`/`__Secure-` prefixes, so the names go without them.
 */
export function cookieNames(settings: CookieSettings): CookieNames {
  const host = settings.secure ? '__Host-' : '';
  const secure = settings.secure ? '__Secure-' : '';
  return {
    access: `${host}${settings.namePrefix}-access`,
    refresh: `${secure}${settings.namePrefix}-refresh`,
    csrf: `${host}${settings.namePrefix}-csrf`,
  };
}
