import type { Middleware } from 'koa';

/**
 * The policy of every answer that sets none of its own: JSON loads nothing, runs nothing, and
 * is framed nowhere.
 */
export const API_CONTENT_SECURITY_POLICY =
  "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * Headers a security product's own answers send, on every answer, errors included: no
 * framing (clickjacking of the docs' login form), no MIME sniffing, no Referer leaving with
 * a URL, and a Content-Security-Policy (`API_CONTENT_SECURITY_POLICY` unless the route set
 * its own, as `/docs` does). Registered outermost and set after the answer is made, so that
 * an error answer, whose headers the error layer resets, has them too.
 */
export function securityHeaders(): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } finally {
      ctx.set('X-Content-Type-Options', 'nosniff');
      ctx.set('X-Frame-Options', 'DENY');
      ctx.set('Referrer-Policy', 'no-referrer');
      // Koa's types say string; a header not set is undefined (or '' in older versions).
      const own = ctx.response.get('Content-Security-Policy') as string | undefined;
      if (own === undefined || own === '') {
        ctx.set('Content-Security-Policy', API_CONTENT_SECURITY_POLICY);
      }
    }
  };
}
