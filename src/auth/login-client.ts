/** Where a login comes from, for throttling per client address and for the audit trail. */
export interface LoginClient {
  /** Koa's `ctx.ip`: the socket's address unless `app.proxy` trusts `X-Forwarded-For`. */
  address?: string | undefined;
  /** The `User-Agent` header, for the session list (cut to a bounded length there). */
  userAgent?: string | undefined;
}
