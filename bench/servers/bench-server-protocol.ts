/** Messages between the bench runner and a server process (over IPC: tokens never printed). */
export interface ServerReady {
  type: 'ready';
  port: number;
  /** Bearer tokens for the protected routes. */
  userToken: string;
  adminToken: string;
}

export interface LagReport {
  type: 'lag';
  p99Ms: number;
  maxMs: number;
}

export type ServerCommand = { type: 'lag-start' } | { type: 'lag-stop' };

export const BENCH_SECRET = 'bench-secret-key-of-more-than-sixty-four-bytes-for-every-hmac-size!!';
