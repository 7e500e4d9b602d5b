import type { ParameterObject, SecurityRequirementObject, SecuritySchemeObject } from 'openapi3-ts';

/** The cookie transport of an app that serves it (browser clients). */
export interface CookieTransport {
  /** The name of the cookie that carries the access token (`__Host-…`). */
  accessCookieName: string;
  /** The name of the cookie that carries the refresh token, sent to the refresh route only. */
  refreshCookieName: string;
}

/** The document's security schemes: bearer and the OAuth2 password flow, and the cookie if served. */
export function securitySchemes(
  cookies: CookieTransport | undefined,
): Record<string, SecuritySchemeObject> {
  return {
    bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
    oauth2: {
      type: 'oauth2',
      flows: { password: { tokenUrl: '/auth/login', refreshUrl: '/auth/refresh', scopes: {} } },
    },
    ...(cookies === undefined
      ? {}
      : {
          cookie: {
            type: 'apiKey',
            in: 'cookie',
            name: cookies.accessCookieName,
            description:
              'The access token in an HttpOnly cookie, for browser clients: a state-changing request also sends `X-CSRF-Token`.',
          },
          refreshCookie: {
            type: 'apiKey',
            in: 'cookie',
            name: cookies.refreshCookieName,
            description:
              'The refresh token in an HttpOnly cookie scoped to the cookie refresh route, with `X-CSRF-Token`.',
          },
        }),
  };
}

/** The `security` of an authorized operation: any one of the schemes, the cookie if served. */
export function authorizedSecurity(cookies: boolean): SecurityRequirementObject[] {
  return [{ bearer: [] }, { oauth2: [] }, ...(cookies ? [{ cookie: [] }] : [])];
}

/** The header a cookie-authenticated state-changing request carries. */
export const CSRF_TOKEN_PARAMETER: ParameterObject = {
  name: 'X-CSRF-Token',
  in: 'header',
  required: false,
  description:
    'The session’s `csrf_token`: required when the request is authenticated by the cookie, not needed with the `Authorization` header.',
  schema: { type: 'string' },
};
