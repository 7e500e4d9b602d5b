import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function runs(program: string): Promise<boolean> {
  try {
    await run(program, ['--version'], { timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * In a `before` hook of a spec that starts its own Redis processes: go on when
 * `redis-server` and `redis-cli` run. When one is missing, fail in CI (`.ci/run` installs
 * them, and a skipped failover spec proves nothing) and, elsewhere, skip loudly.
 */
export async function requireRedisBinaries(context: Mocha.Context): Promise<void> {
  const missing: string[] = [];
  for (const program of ['redis-server', 'redis-cli']) {
    if (!(await runs(program))) missing.push(program);
  }
  if (missing.length === 0) return;
  const absent = missing.join(' and ');
  if (process.env['CI']) throw new Error(`${absent} not found: CI must run these specs`);
  process.stderr.write(`\n  !!! ${absent} not found: SKIPPING these specs (install Redis)\n\n`);
  context.skip();
}
