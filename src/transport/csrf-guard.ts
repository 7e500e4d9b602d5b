import { timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import type { AuditTrail } from '../audit/audit-trail';
import type { BaseAppSettings } from '../config/base-app-settings';
import type { CsrfFailure } from '../errors/security-errors';
import { CsrfError } from '../errors/security-errors';
import type { TokenClaims } from '../tokens/token-claims';

/** The request header that carries the session's CSRF token. */
export const CSRF_HEADER = 'X-CSRF-Token';

const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether a request may change state: anything but GET, HEAD and OPTIONS. */
export function isStateChanging(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

/**
 * The cookie transport's defence against cross-site request forgery, two checks that must
 * both pass on every state-changing request authenticated by cookie:
 * - the request comes from an allowed origin: its `Origin` header is one of
 *   `ALLOWED_ORIGINS`, or, when a browser sends no `Origin`, `Sec-Fetch-Site` is
 *   `same-origin`; a request with neither is refused (no browser sends neither);
 * - its `X-CSRF-Token` header is the session's CSRF token: a random value made when the
 *   session started and carried, signed, in every token of the session (`fam_csrf`).
 *   Compared with the session the cookie proves, not with a cookie: a token planted in a
 *   cookie by a sibling subdomain, or taken from another session, does not pass; a signing
 *   key rotation changes nothing.
 * A cookie login has no session yet: it passes the origin check only (login CSRF).
 */
export class CsrfGuard {
  private readonly origins: ReadonlySet<string>;

  constructor(
    settings: BaseAppSettings,
    private readonly audit: AuditTrail,
  ) {
    this.origins = new Set(settings.cookies.allowedOrigins);
  }

  /** @throws CsrfError (recorded as `csrf_failed`) unless the request comes from an allowed origin. */
  checkOrigin(ctx: Context, claims?: TokenClaims): void {
    const origin = ctx.get('Origin');
    if (origin !== '') {
      if (!this.origins.has(origin)) this.refuse(ctx, 'origin_not_allowed', claims);
      return;
    }
    if (ctx.get('Sec-Fetch-Site') !== 'same-origin') this.refuse(ctx, 'origin_missing', claims);
  }

  /** @throws CsrfError (recorded) unless `X-CSRF-Token` is the token of the claims' session. */
  checkToken(ctx: Context, claims: TokenClaims): void {
    const given = ctx.get(CSRF_HEADER);
    if (given === '') this.refuse(ctx, 'token_missing', claims);
    const expected = Buffer.from(claims.fam_csrf ?? '', 'utf8');
    const actual = Buffer.from(given, 'utf8');
    const equal =
      expected.length > 0 && actual.length === expected.length && timingSafeEqual(actual, expected);
    if (!equal) this.refuse(ctx, 'token_mismatch', claims);
  }

  /** Both checks, for a state-changing request; none for a safe one. */
  check(ctx: Context, claims: TokenClaims): void {
    if (!isStateChanging(ctx.method)) return;
    this.checkOrigin(ctx, claims);
    this.checkToken(ctx, claims);
  }

  private refuse(ctx: Context, reason: CsrfFailure, claims?: TokenClaims): never {
    this.audit.record({
      type: 'csrf_failed',
      reason,
      userId: claims?.sub,
      familyId: claims?.fam,
      method: ctx.method,
      path: ctx.path,
      address: ctx.ip,
    });
    throw new CsrfError(reason);
  }
}
