import { fork } from 'node:child_process';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuTime, startServer } from './http-throughput';
import type { StormOrder, StormReport } from './storm-client';
import type { Row } from './stats';

/** Storm requests in flight at once, each answered request followed by the next at once. */
const STORM_CONNECTIONS = 300;
/** Honest logins measured with no storm. */
const QUIET_LOGINS = 20;

interface Attempt {
  status: number;
  ms: number;
  retryAfterSeconds: number;
}

interface HonestRun {
  /** Latency of every attempt answered 200. */
  admitted: number[];
  /** From a login's first attempt to its token, retries after `Retry-After` included. */
  toToken: number[];
  attempts: number;
  busy: number;
  throttled: number;
  /** Logins begun during the storm that had no token yet when it ended. */
  unfinished: number;
}

/** One honest login: the right password of a registered user. */
async function attempt(url: string): Promise<Attempt> {
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'user@example.com', password: 'user-password' }),
  });
  await response.arrayBuffer();
  return {
    status: response.status,
    ms: performance.now() - started,
    retryAfterSeconds: Number(response.headers.get('retry-after') ?? 1),
  };
}

/**
 * An honest client logging in again and again, one login at a time, while `running()`; a
 * 503 or 429 is retried after its `Retry-After`, as a well-behaved client does.
 */
async function honestClient(url: string, running: () => boolean, logins?: number) {
  const run: HonestRun = {
    admitted: [],
    toToken: [],
    attempts: 0,
    busy: 0,
    throttled: 0,
    unfinished: 0,
  };
  while (running() && (logins === undefined || run.toToken.length < logins)) {
    const started = performance.now();
    for (;;) {
      const answer = await attempt(url);
      run.attempts += 1;
      if (answer.status === 200) {
        run.admitted.push(answer.ms);
        if (running()) run.toToken.push(performance.now() - started);
        else run.unfinished += 1;
        break;
      }
      if (answer.status !== 503 && answer.status !== 429)
        throw new Error(`honest login answered ${answer.status}`);
      if (answer.status === 503) run.busy += 1;
      else run.throttled += 1;
      await sleep(answer.retryAfterSeconds * 1000);
      if (!running()) {
        run.unfinished += 1;
        break;
      }
    }
  }
  return run;
}

/** A storm from a child process, for `seconds`; resolves with its counts when it is over. */
function storm(order: StormOrder, onStart: () => void): Promise<StormReport & { type: 'done' }> {
  const child = fork(resolve(__dirname, 'storm-client.ts'), [], {
    execArgv: ['-r', 'ts-node/register/transpile-only'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((done, fail) => {
    child.on('message', (report: StormReport) => {
      if (report.type === 'started') onStart();
      else done(report);
    });
    child.once('exit', (code) => fail(new Error(`storm client exited with ${code}`)));
    child.send(order);
  });
}

/** The `p`th percentile (nearest rank) of `values`, in whole ms; `—` for none. */
function percentile(values: readonly number[], p: number): string {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return '—';
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return (sorted[rank] ?? NaN).toFixed(0);
}

/** What the storm did and what the server spent on it. */
interface StormResult {
  report: StormReport & { type: 'done' };
  /** Server process CPU time (main thread and bcrypt's thread pool) over wall time. */
  cores: number;
}

/**
 * An honest login's latency over HTTP while a storm of logins of unknown users (or of
 * registrations) runs from the same address, against the same login with no storm, in one
 * server (bcrypt cost 10). The demo does not trust X-Forwarded-For (`app.proxy = false`), so
 * every client is 127.0.0.1: the storm uses unknown users (no account throttle), and the
 * address limits are set out of its way, so that what it meets is the bcrypt bound
 * (`BCRYPT_MAX_QUEUED`, default here).
 */
export async function honestLoginUnderStorm(stormSeconds: number): Promise<Row[]> {
  const server = await startServer('demo-server.ts', {
    BENCH_DEMO_ENV: JSON.stringify({
      BCRYPT_ROUNDS: '10',
      LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '100000',
      REGISTER_MAX_PER_ADDRESS: '100000',
    }),
  });
  try {
    const origin = `http://127.0.0.1:${server.ready.port}`;
    const login = `${origin}/auth/login`;
    await honestClient(login, () => true, 5); // warm-up
    const quiet = await honestClient(login, () => true, QUIET_LOGINS);
    const rows: Row[] = [];
    const row = (condition: string, run: HonestRun, storm?: StormResult) => {
      const codes = storm?.report.statusCodes ?? {};
      const count = (code: string) => String(codes[code] ?? 0);
      const other = Object.entries(codes)
        .filter(([code]) => !['401', '201', '503', '429'].includes(code))
        .map(([code, n]) => `${n} × ${code}`)
        .join(', ');
      const vsQuiet = (values: number[], quietValues: number[]) =>
        values.length === 0
          ? '—'
          : (Number(percentile(values, 99)) / Number(percentile(quietValues, 99))).toFixed(2);
      rows.push({
        condition,
        'honest logins (token got)': String(run.toToken.length),
        'honest attempts answered 503 / 429': `${run.busy} / ${run.throttled} of ${run.attempts}`,
        'admitted login p50 / p99 / max ms': [50, 99, 100]
          .map((p) => percentile(run.admitted, p))
          .join(' / '),
        'p99 vs no storm': vsQuiet(run.admitted, quiet.admitted),
        'time to a token p50 / p99 / max ms (retrying after Retry-After)':
          [50, 99, 100].map((p) => percentile(run.toToken, p)).join(' / ') +
          (run.unfinished ? ` (${run.unfinished} unfinished)` : ''),
        'time to token p99 vs no storm': vsQuiet(run.toToken, quiet.toToken),
        'storm requests': storm ? String(storm.report.requests) : '',
        'storm 401 / 201': storm ? `${count('401')} / ${count('201')}` : '',
        'storm 503': storm ? count('503') : '',
        'storm 429': storm ? count('429') : '',
        'storm other': storm
          ? other || (storm.report.errors ? `${storm.report.errors} errors` : '0')
          : '',
        'server CPU, cores busy': storm ? storm.cores.toFixed(2) : '',
      });
    };
    row(`no storm (${QUIET_LOGINS} logins in a row)`, quiet);
    for (const kind of ['login', 'register'] as const) {
      let running = false;
      let started!: () => void;
      const begun = new Promise<void>((done) => (started = done));
      const cpuBefore = await cpuTime(server.child);
      const wallBefore = performance.now();
      const over = storm(
        {
          url: `${origin}/auth/${kind}`,
          kind,
          connections: STORM_CONNECTIONS,
          seconds: stormSeconds,
        },
        () => started(),
      ).finally(() => (running = false));
      await begun;
      running = true;
      await sleep(500); // the storm at full strength first
      const [run, report] = await Promise.all([honestClient(login, () => running), over]);
      const cores =
        ((await cpuTime(server.child)) - cpuBefore) / 1000 / (performance.now() - wallBefore);
      row(
        kind === 'login'
          ? `storm: ${STORM_CONNECTIONS} concurrent logins of unknown users, ${stormSeconds} s`
          : `storm: ${STORM_CONNECTIONS} concurrent registrations, ${stormSeconds} s`,
        run,
        { report, cores },
      );
      // Let the storm's admitted bcrypt work drain before the next condition.
      await sleep(1000);
    }
    return rows;
  } finally {
    await server.stop();
  }
}
