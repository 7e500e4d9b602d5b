import { fork } from 'node:child_process';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuTime, startServer } from './http-throughput';
import type { StormOrder, StormReport, StormSource } from './storm-client';
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

/** What an honest client saw, each event with its start (`performance.now()`). */
interface HonestRun {
  /** Every attempt: its status and latency. */
  attempts: { at: number; status: number; ms: number }[];
  /** Every login that got its token (from its first attempt), retries after `Retry-After` included. */
  tokens: { at: number; ms: number }[];
  /** Logins begun during the storm that had no token yet when it ended. */
  unfinished: { at: number }[];
}

/** The part of `run` begun at `from` or later. */
function since(run: HonestRun, from: number): HonestRun {
  return {
    attempts: run.attempts.filter((a) => a.at >= from),
    tokens: run.tokens.filter((t) => t.at >= from),
    unfinished: run.unfinished.filter((u) => u.at >= from),
  };
}

/** One honest login: the right password of a registered user, from `address` if given. */
async function attempt(url: string, address: string | undefined): Promise<Attempt> {
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(address === undefined ? {} : { 'x-forwarded-for': address }),
    },
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
async function honestClient(
  url: string,
  address: string | undefined,
  running: () => boolean,
  logins?: number,
) {
  const run: HonestRun = { attempts: [], tokens: [], unfinished: [] };
  while (running() && (logins === undefined || run.tokens.length < logins)) {
    const started = performance.now();
    for (;;) {
      const at = performance.now();
      const answer = await attempt(url, address);
      run.attempts.push({ at, status: answer.status, ms: answer.ms });
      if (answer.status === 200) {
        if (running()) run.tokens.push({ at: started, ms: performance.now() - started });
        else run.unfinished.push({ at: started });
        break;
      }
      if (answer.status !== 503 && answer.status !== 429)
        throw new Error(`honest login answered ${answer.status}`);
      await sleep(answer.retryAfterSeconds * 1000);
      if (!running()) {
        run.unfinished.push({ at: started });
        break;
      }
    }
  }
  return run;
}

/**
 * A storm from a child process, for `seconds`; `on.started` when it runs, `on.throttled` at
 * its first 429; resolves with its counts when it is over.
 */
function storm(
  order: StormOrder,
  on: { started: () => void; throttled: () => void },
): Promise<StormReport & { type: 'done' }> {
  const child = fork(resolve(__dirname, 'storm-client.ts'), [], {
    execArgv: ['-r', 'ts-node/register/transpile-only'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((done, fail) => {
    child.on('message', (report: StormReport) => {
      if (report.type === 'started') on.started();
      else if (report.type === 'throttled') on.throttled();
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
  /** Seconds from the storm's start to its first 429, if any. */
  throttledAfter?: number;
}

/** The storm's answers counted one by one; any other in "storm other". */
const SHOWN_STATUSES = ['200', '201', '401', '409', '429', '503'];

/** The throttling limits at their defaults (bench-demo.ts lifts the login limits otherwise). */
const DEFAULT_LIMITS = {
  LOGIN_MAX_ATTEMPTS: '5',
  LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '100',
  REGISTER_MAX_PER_ADDRESS: '20',
  LOGIN_LOCKOUT_SECONDS: '900',
};
/** A single attacking host (TEST-NET-3) and the honest client (TEST-NET-2). */
const ATTACKER = '203.0.113.7';
const HONEST = '198.51.100.20';

/** One server and the storms run against it, one after the other. */
interface Scenario {
  /** The limits and addresses, first in each of its rows. */
  label: string;
  settings: Record<string, string>;
  /** The server takes the client address from `X-Forwarded-For` (`app.proxy = true`). */
  trustProxy: boolean;
  /** The honest client's `X-Forwarded-For`, if any. */
  honestAddress?: string;
  storms: { kind: StormOrder['kind']; source: StormSource; from: string }[];
}

const SCENARIOS: Scenario[] = [
  {
    label: 'per-address limits lifted (worst case): every client 127.0.0.1',
    settings: { LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '100000', REGISTER_MAX_PER_ADDRESS: '100000' },
    trustProxy: false,
    storms: [
      { kind: 'login', source: { type: 'socket' }, from: '127.0.0.1' },
      { kind: 'register', source: { type: 'socket' }, from: '127.0.0.1' },
    ],
  },
  {
    label:
      'limits at their defaults (5 failures per account and address, 100 per address, 900 s ' +
      `lockout; 20 registrations per address an hour), X-Forwarded-For trusted, honest client ${HONEST}`,
    settings: DEFAULT_LIMITS,
    trustProxy: true,
    honestAddress: HONEST,
    storms: [
      {
        kind: 'login',
        source: { type: 'one', address: ATTACKER },
        from: `one address, ${ATTACKER}`,
      },
      {
        kind: 'register',
        source: { type: 'one', address: ATTACKER },
        from: `one address, ${ATTACKER}`,
      },
      ...(['login', 'register'] as const).map((kind) => ({
        kind,
        source: { type: 'many' } as const,
        from: 'a random 10.0.0.0/8 address each (a botnet; an IPv6 client would be counted by its /64)',
      })),
    ],
  },
];

/**
 * An honest login's latency over HTTP while a storm of logins of unknown users (or of
 * registrations) runs, against the same login with no storm in the same server (bcrypt cost
 * 10, `BCRYPT_MAX_QUEUED` at its default). The storm uses unknown users (no account
 * throttle), so what stops it is the address limits and the bcrypt bound. Two servers: the
 * demo as it is (`app.proxy = false`), where every client is 127.0.0.1 and the address limits
 * are lifted out of the storm's way, so that it meets only the bcrypt bound (the worst case);
 * and the demo trusting X-Forwarded-For, with the limits at their defaults, for a storm from
 * one address and from many.
 */
export async function honestLoginUnderStorm(stormSeconds: number): Promise<Row[]> {
  const rows: Row[] = [];
  for (const scenario of SCENARIOS) rows.push(...(await runScenario(scenario, stormSeconds)));
  return rows;
}

async function runScenario(scenario: Scenario, stormSeconds: number): Promise<Row[]> {
  const server = await startServer('demo-server.ts', {
    BENCH_DEMO_ENV: JSON.stringify({ BCRYPT_ROUNDS: '10', ...scenario.settings }),
    BENCH_TRUST_PROXY: scenario.trustProxy ? '1' : '0',
  });
  try {
    const origin = `http://127.0.0.1:${server.ready.port}`;
    const login = `${origin}/auth/login`;
    const honest = scenario.honestAddress;
    await honestClient(login, honest, () => true, 5); // warm-up
    const quiet = await honestClient(login, honest, () => true, QUIET_LOGINS);
    const rows: Row[] = [];
    const row = (condition: string, run: HonestRun, storm?: StormResult) => {
      const codes = storm?.report.statusCodes ?? {};
      const count = (code: string) => (storm ? String(codes[code] ?? 0) : '');
      const other = Object.entries(codes)
        .filter(([code]) => !SHOWN_STATUSES.includes(code))
        .map(([code, n]) => `${n} × ${code}`)
        .join(', ');
      const admitted = run.attempts.filter((a) => a.status === 200).map((a) => a.ms);
      const toToken = run.tokens.map((t) => t.ms);
      const answered = (status: number) => run.attempts.filter((a) => a.status === status).length;
      const vsQuiet = (values: number[], quietValues: number[]) =>
        values.length === 0
          ? '—'
          : (Number(percentile(values, 99)) / Number(percentile(quietValues, 99))).toFixed(2);
      const spread = (values: number[]) =>
        [50, 99, 100].map((p) => percentile(values, p)).join(' / ');
      rows.push({
        'limits and addresses': scenario.label,
        storm: condition,
        'honest logins (token got)': String(run.tokens.length),
        'honest attempts answered 503 / 429': `${answered(503)} / ${answered(429)} of ${run.attempts.length}`,
        'admitted login p50 / p99 / max ms': spread(admitted),
        'p99 vs no storm': vsQuiet(admitted, quietAdmitted),
        'time to a token p50 / p99 / max ms (retrying after Retry-After)':
          spread(toToken) + (run.unfinished.length ? ` (${run.unfinished.length} unfinished)` : ''),
        'time to token p99 vs no storm': vsQuiet(toToken, quietToToken),
        'storm requests': storm ? String(storm.report.requests) : '',
        ...Object.fromEntries(SHOWN_STATUSES.map((code) => [`storm ${code}`, count(code)])),
        'storm other': storm
          ? other || (storm.report.errors ? `${storm.report.errors} errors` : '0')
          : '',
        "storm's first 429 after s": storm?.throttledAfter?.toFixed(1) ?? (storm ? '—' : ''),
        'server CPU, cores busy': storm ? storm.cores.toFixed(2) : '',
      });
    };
    const quietAdmitted = quiet.attempts.map((a) => a.ms);
    const quietToToken = quiet.tokens.map((t) => t.ms);
    row(`none (${QUIET_LOGINS} logins in a row)`, quiet);
    for (const { kind, source, from } of scenario.storms) {
      let running = false;
      let stormStart = 0;
      let stormEnd = 0;
      let throttledAt: number | undefined;
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
          untilLocked: source.type === 'one',
          source,
        },
        {
          started: () => {
            stormStart = performance.now();
            started();
          },
          throttled: () => (throttledAt = performance.now()),
        },
      ).finally(() => {
        running = false;
        stormEnd = performance.now();
      });
      await begun;
      running = true;
      await sleep(500); // the storm at full strength first
      const [run, report] = await Promise.all([honestClient(login, honest, () => running), over]);
      const cores =
        ((await cpuTime(server.child)) - cpuBefore) / 1000 / (performance.now() - wallBefore);
      const what = kind === 'login' ? 'logins of unknown users' : 'registrations';
      const lasted = (stormEnd - stormStart) / 1000;
      const condition =
        `${STORM_CONNECTIONS} concurrent ${what} from ${from}, ${lasted.toFixed(1)} s` +
        (source.type === 'one' ? ` (run until ${stormSeconds} s past its first 429)` : '');
      row(condition, run, {
        report,
        cores,
        ...(throttledAt === undefined ? {} : { throttledAfter: (throttledAt - stormStart) / 1000 }),
      });
      // Once the storm's address is locked, what the honest client meets is the locked storm.
      if (throttledAt !== undefined)
        row(`the same storm, the honest logins begun after its first 429`, since(run, throttledAt));
      // Let the storm's admitted bcrypt work drain before the next condition.
      await sleep(1000);
    }
    return rows;
  } finally {
    await server.stop();
  }
}
