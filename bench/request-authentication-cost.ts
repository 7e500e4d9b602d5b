import type { Context } from 'koa';
import type { Action } from 'routing-controllers';
import type { DemoApp } from '../demo/demo-app';
import { securityErrorLayer } from '../src';
import { createAuthorizationChecker, createCurrentUserChecker } from '../src/advanced';
import { createBenchDemo } from './servers/bench-demo';
import type { Row } from './stats';
import { interleaved, median } from './stats';

const ROUND_MS = 250;
/** Requests in flight together, as the HTTP benchmark's 50 connections. */
const CONCURRENCY = 50;

interface Subject {
  demo: DemoApp;
  /**
   * One request's authentication: both checkers, as routing-controllers calls them, inside the
   * error layer that every secured request passes through (the checkers refuse to run without).
   */
  authenticate: () => Promise<void>;
}

async function subject(env: Record<string, string>): Promise<Subject> {
  const { demo, userToken: token } = await createBenchDemo(env);
  const authorize = createAuthorizationChecker(demo.container);
  const currentUser = createCurrentUserChecker(demo.container);
  const rawHeaders = ['Host', '127.0.0.1', 'Authorization', `Bearer ${token}`, 'Accept', '*/*'];
  const layer = securityErrorLayer();
  return {
    demo,
    authenticate: async () => {
      const headers = { host: '127.0.0.1', authorization: `Bearer ${token}`, accept: '*/*' };
      const context = {
        state: {},
        req: { rawHeaders, headers },
        path: '/users/me',
        method: 'GET',
        ip: '127.0.0.1',
      };
      const action = { context } as Action;
      await layer(context as unknown as Context, async () => {
        if (!(await authorize(action, []))) throw new Error('refused');
        if ((await currentUser(action)) === undefined) throw new Error('no user');
      });
    },
  };
}

/** Nanoseconds per request, `CONCURRENCY` requests at a time, for about `ROUND_MS`. */
async function nanosecondsPerRequest(authenticate: () => Promise<void>): Promise<number> {
  let count = 0;
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(ROUND_MS * 1e6);
  let now = started;
  while (now < deadline) {
    await Promise.all(Array.from({ length: CONCURRENCY }, authenticate));
    count += CONCURRENCY;
    now = process.hrtime.bigint();
  }
  return Number(now - started) / count;
}

/**
 * What the library itself costs per protected request, in-process (no HTTP, no
 * routing-controllers): the demo's container and users, both checkers on one request.
 */
export async function requestAuthenticationCost(rounds: number): Promise<Row[]> {
  const subjects = {
    'both checkers, token from the cache (memory store, demo users in memory)': await subject({}),
    'both checkers, cache off': await subject({ VERIFIED_TOKEN_CACHE_SIZE: '0' }),
  };
  try {
    const names = Object.keys(subjects) as (keyof typeof subjects)[];
    for (const name of names) await nanosecondsPerRequest(subjects[name].authenticate);
    const results = await interleaved(names, rounds, (name) =>
      nanosecondsPerRequest(subjects[name].authenticate),
    );
    return names.map((name) => ({
      measure: name,
      'µs per request (median)': median(results.get(name) ?? []) / 1000,
    }));
  } finally {
    for (const { demo } of Object.values(subjects)) await demo.close();
  }
}
