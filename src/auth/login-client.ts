/** Where a login comes from, for throttling per client address and for the audit trail. */
export interface LoginClient {
  /** Koa's `ctx.ip`: the socket's address unless `app.proxy` trusts `X-Forwarded-For`. */
  address?: string | undefined;
}
