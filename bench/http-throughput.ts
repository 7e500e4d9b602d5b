import { RedisCluster } from '../spec/helpers/redis-cluster';
import { RedisSentinel } from '../spec/helpers/redis-sentinel';
import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import { resolve } from 'node:path';
import autocannon from 'autocannon';
import type {
  CpuReport,
  LagReport,
  ServerCommand,
  ServerReady,
} from './servers/bench-server-protocol';
import type { Row } from './stats';
import { interleaved, median } from './stats';

const TS_NODE = ['-r', 'ts-node/register/transpile-only'];

export interface RunningServer {
  ready: ServerReady;
  child: ChildProcess;
  stop: () => Promise<void>;
}

/** Sends `command` to a server process and waits for its answer of type `type`. */
export function ask<T extends { type: string }>(
  child: ChildProcess,
  command: ServerCommand,
  type: T['type'],
): Promise<T> {
  return new Promise((done) => {
    const listener = (message: { type?: string }) => {
      if (message.type !== type) return;
      child.off('message', listener);
      done(message as T);
    };
    child.on('message', listener);
    child.send(command);
  });
}

/** The server process's user + system CPU time so far, in µs. */
export async function cpuTime(child: ChildProcess): Promise<number> {
  const report = await ask<CpuReport>(child, { type: 'cpu' }, 'cpu');
  return report.userUs + report.systemUs;
}

export async function startServer(
  script: string,
  env: Record<string, string>,
): Promise<RunningServer> {
  const child = fork(resolve(__dirname, 'servers', script), [], {
    execArgv: TS_NODE,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const ready = await new Promise<ServerReady>((done, fail) => {
    child.once('message', (message: ServerReady) => done(message));
    child.once('exit', (code) => fail(new Error(`${script} exited with ${code}`)));
  });
  return {
    ready,
    child,
    stop: () =>
      new Promise((done) => {
        child.once('exit', () => done());
        child.disconnect();
      }),
  };
}

interface Load {
  rps: number;
  p99: number;
  /** The server process's CPU time (user + system) per request, µs. */
  cpuUs: number;
}

/**
 * Load from this process (not the server's): 50 connections for `seconds`, and the server
 * process's CPU time over it (asked over IPC before and after), per request answered.
 */
async function load(
  server: RunningServer,
  path: string,
  token: string | undefined,
  seconds: number,
): Promise<Load> {
  const cpuBefore = await cpuTime(server.child);
  const result = await autocannon({
    url: `http://127.0.0.1:${server.ready.port}${path}`,
    connections: 50,
    duration: seconds,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const cpuUs = (await cpuTime(server.child)) - cpuBefore;
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${path}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    cpuUs: cpuUs / result.requests.total,
  };
}

interface Case {
  name: string;
  server: string;
  path: string;
  auth: 'none' | 'user' | 'admin';
  /** The case whose throughput this one is compared with. */
  baseline: string;
}

/** Throughput and p99 of public and protected routes, ours and the peers', in one run. */
export async function httpThroughput(
  rounds: number,
  seconds: number,
  redisUrl: string | undefined,
): Promise<Row[]> {
  const servers: Record<string, RunningServer> = {
    'demo (memory)': await startServer('demo-server.ts', {}),
    'koa-jwt': await startServer('peer-server.ts', { BENCH_PEER: 'koa-jwt' }),
    'passport-jwt': await startServer('peer-server.ts', { BENCH_PEER: 'passport-jwt' }),
  };
  if (redisUrl)
    servers['demo (Redis)'] = await startServer('demo-server.ts', { BENCH_REDIS_URL: redisUrl });
  // A Redis Cluster (3 masters, 3 replicas) and Redis through Sentinel, on loopback ports.
  const cluster = await RedisCluster.start();
  const sentinel = await RedisSentinel.start();
  const addresses = (nodes: { host: string; port: number }[]) =>
    nodes.map(({ host, port }) => `${host}:${port}`).join(',');
  servers['demo (Redis Cluster)'] = await startServer('demo-server.ts', {
    BENCH_DEMO_ENV: JSON.stringify({ REDIS_CLUSTER_NODES: addresses(cluster.nodes) }),
  });
  servers['demo (Sentinel)'] = await startServer('demo-server.ts', {
    BENCH_DEMO_ENV: JSON.stringify({
      REDIS_SENTINELS: addresses(sentinel.sentinels),
      REDIS_SENTINEL_NAME: sentinel.name,
    }),
  });
  const redisServers = [
    ...(redisUrl ? ['demo (Redis)'] : []),
    'demo (Redis Cluster)',
    'demo (Sentinel)',
  ];
  try {
    const cases: Case[] = [];
    for (const server of ['demo (memory)', ...redisServers]) {
      const baseline = `${server} GET /health`;
      cases.push(
        { name: baseline, server, path: '/health', auth: 'none', baseline },
        { name: `${server} GET /users/me`, server, path: '/users/me', auth: 'user', baseline },
        {
          name: `${server} GET /admin/users (@Authorized('admin'))`,
          server,
          path: '/admin/users',
          auth: 'admin',
          baseline,
        },
      );
    }
    for (const server of ['koa-jwt', 'passport-jwt']) {
      cases.push(
        {
          name: `${server} GET /health`,
          server,
          path: '/health',
          auth: 'none',
          baseline: `${server} GET /health`,
        },
        {
          name: `${server} GET /users/me`,
          server,
          path: '/users/me',
          auth: 'user',
          baseline: `${server} GET /health`,
        },
      );
    }
    const byName = new Map(cases.map((c) => [c.name, c]));
    const measure = (c: Case, duration: number) => {
      const server = servers[c.server];
      const { ready } = server;
      const token =
        c.auth === 'user' ? ready.userToken : c.auth === 'admin' ? ready.adminToken : undefined;
      return load(server, c.path, token, duration);
    };
    for (const c of cases) await measure(c, 1); // warm-up (JIT, connections)
    const loads = new Map<string, Load[]>();
    await interleaved(
      cases.map((c) => c.name),
      rounds,
      async (name) => {
        const result = await measure(byName.get(name) as Case, seconds);
        loads.set(name, [...(loads.get(name) ?? []), result]);
        return result.rps;
      },
    );
    const rps = (name: string) => median((loads.get(name) ?? []).map((l) => l.rps));
    const p99 = (name: string) => median((loads.get(name) ?? []).map((l) => l.p99));
    const cpu = (name: string) => median((loads.get(name) ?? []).map((l) => l.cpuUs));
    const ours = rps('demo (memory) GET /users/me');
    const singleRedis = rps('demo (Redis) GET /users/me');
    // Each round's ratio to the public route measured in the same round: the spread of the
    // machine's noise, next to the ratio of the medians.
    const roundRatios = (c: Case, of: (l: Load) => number) => {
      const baseline = loads.get(c.baseline) ?? [];
      const ratios = (loads.get(c.name) ?? []).map(
        (l, i) => of(l) / of(baseline[i] ?? { rps: NaN, p99: NaN, cpuUs: NaN }),
      );
      return `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`;
    };
    return cases.map((c) => ({
      case: c.name,
      'req/s (median)': rps(c.name),
      'p99 ms': p99(c.name),
      'vs its public route': (rps(c.name) / rps(c.baseline)).toFixed(2),
      'rounds: min–max ratio': c.auth === 'none' ? '' : roundRatios(c, (l) => l.rps),
      'p99 vs public': (p99(c.name) / Math.max(p99(c.baseline), 1)).toFixed(2),
      'vs ours (memory /users/me)': c.auth === 'none' ? '' : (rps(c.name) / ours).toFixed(2),
      'vs one Redis (/users/me)':
        c.auth === 'none' || !redisServers.includes(c.server)
          ? ''
          : (rps(c.name) / singleRedis).toFixed(2),
      'server CPU µs/req (median)': cpu(c.name),
      'CPU/req vs its public route': (cpu(c.name) / cpu(c.baseline)).toFixed(2),
      'rounds: min–max CPU ratio': c.auth === 'none' ? '' : roundRatios(c, (l) => l.cpuUs),
    }));
  } finally {
    for (const server of Object.values(servers)) await server.stop();
    await cluster.stop();
    await sentinel.stop();
  }
}

/**
 * Event-loop lag of the demo process while 50 logins (bcrypt cost 10) arrive at once, all
 * admitted (`BCRYPT_MAX_QUEUED` raised to 50: past its default, they would be 503s).
 */
export async function loginStorm(): Promise<Row[]> {
  const server = await startServer('demo-server.ts', {
    BENCH_DEMO_ENV: JSON.stringify({ BCRYPT_MAX_QUEUED: '50' }),
  });
  try {
    const url = `http://127.0.0.1:${server.ready.port}/auth/login`;
    server.child.send({ type: 'lag-start' } satisfies ServerCommand);
    const started = Date.now();
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'user@example.com', password: 'user-password' }),
        }),
      ),
    );
    const elapsed = Date.now() - started;
    const report = await ask<LagReport>(server.child, { type: 'lag-stop' }, 'lag');
    if (responses.some((r) => r.status !== 200)) throw new Error('a storm login failed');
    return [
      {
        measure: '50 concurrent logins, bcrypt cost 10 (BCRYPT_MAX_QUEUED=50: all admitted)',
        'event-loop lag p99 ms': report.p99Ms,
        'lag max ms': report.maxMs,
        'storm duration ms': elapsed,
      },
    ];
  } finally {
    await server.stop();
  }
}
