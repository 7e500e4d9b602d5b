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

/** The server process's CPU time so far (`process.cpuUsage()`: every thread of it). */
export interface CpuReport {
  type: 'cpu';
  userUs: number;
  systemUs: number;
}

export type ServerCommand = { type: 'lag-start' } | { type: 'lag-stop' } | { type: 'cpu' };

/** Answers `{ type: 'cpu' }` with this process's CPU time; every bench server installs it. */
export function answerCpuRequests(): void {
  process.on('message', (command: ServerCommand) => {
    if (command.type !== 'cpu') return;
    const { user, system } = process.cpuUsage();
    const report: CpuReport = { type: 'cpu', userUs: user, systemUs: system };
    process.send?.(report);
  });
}

export const BENCH_SECRET = 'bench-secret-key-of-more-than-sixty-four-bytes-for-every-hmac-size!!';
