import { Pool } from 'pg';

/** Bounds of the demo's PostgreSQL pool, in milliseconds and connections. */
export interface UserPoolLimits {
  /** Connections at most: a slow PostgreSQL sees no more backends of this process. */
  max: number;
  /** Time to get a connection, new or from the pool's queue: then 503. */
  connectionTimeoutMs: number;
  /**
   * Server side: PostgreSQL cancels a statement running (or waiting for a lock) longer, and
   * its backend is free again. Shorter than `queryTimeoutMs`, so that the server gives up first.
   */
  statementTimeoutMs: number;
  /** Client side, the last resort when the server does not answer at all. */
  queryTimeoutMs: number;
  /** Server side: a session left idle inside a transaction is ended. */
  idleInTransactionTimeoutMs: number;
}

export const DEFAULT_USER_POOL_LIMITS: Readonly<UserPoolLimits> = {
  max: 10,
  connectionTimeoutMs: 1_000,
  statementTimeoutMs: 1_500,
  queryTimeoutMs: 2_000,
  idleInTransactionTimeoutMs: 5_000,
};

/**
 * The pool of the demo's user store. With only the client's `query_timeout`, a slow
 * PostgreSQL kept running every abandoned statement while the pool opened new connections
 * (51 backends after 10 s, then "too many clients" for every other client of that server);
 * `statement_timeout` makes the server cancel it, and `max` bounds the backends. Its
 * `application_name` is `fastcore-demo` unless the URL names one.
 */
export function createUserPool(url: string, limits: Partial<UserPoolLimits> = {}): Pool {
  const chosen = { ...DEFAULT_USER_POOL_LIMITS, ...limits };
  return new Pool({
    connectionString: url,
    max: chosen.max,
    connectionTimeoutMillis: chosen.connectionTimeoutMs,
    statement_timeout: chosen.statementTimeoutMs,
    query_timeout: chosen.queryTimeoutMs,
    idle_in_transaction_session_timeout: chosen.idleInTransactionTimeoutMs,
    fallback_application_name: 'fastcore-demo',
    keepAlive: true,
  });
}
