import { Pool } from 'pg';
import request from 'supertest';
import type { TokenPair } from '../../src';
import { createDemoApp } from '../../demo/demo-app';
import type { DemoApp, DemoOptions } from '../../demo/demo-app';
import { jsonLogger } from '../../demo/logging/json-logger';
import type { DemoUser } from '../../demo/users/demo-user';
import { MemoryUserStore } from '../../demo/users/memory-user-store';
import { FrozenClock } from './frozen-clock';
import { TEST_REDIS_URL, connectRedis, createSchema, dropKeys, uniquePrefix } from './real-servers';
import { expectNoSecretsInLogs } from './log-secrets';
import { testEnvironment } from './test-environment';

type UserChanges = Partial<Pick<DemoUser, 'roles' | 'is_active'>>;

/** The demo app on a frozen clock, with its log lines captured. */
export interface DemoHarness {
  demo: DemoApp;
  clock: FrozenClock;
  logs: string[];
  http: () => request.Agent;
  login: (username: string, password: string) => Promise<TokenPair>;
  /** Changes a user behind the app's back, as an administrator would in the database. */
  updateUser: (id: number, changes: UserChanges) => Promise<void>;
  close: () => Promise<void>;
}

/** Where an instance keeps its state: what two instances of one deployment share. */
export interface SharedInfrastructure {
  databaseUrl: string;
  redisPrefix: string;
  /** Removes the schema and the keys. */
  drop: () => Promise<void>;
}

/** The demo on its embedded default (or on what `env` selects: then `updateUser` is not available). */
export async function demoHarness(env: NodeJS.ProcessEnv = {}): Promise<DemoHarness> {
  if (env['DATABASE_URL'] !== undefined) {
    const refuse = () => Promise.reject(new Error('updateUser needs infrastructureHarness'));
    return harness(env, undefined, refuse, () => Promise.resolve());
  }
  const store = new MemoryUserStore();
  return harness(
    env,
    store,
    (id, changes) => Promise.resolve(store.update(id, changes)),
    () => Promise.resolve(),
  );
}

/** A PostgreSQL schema and a Redis key prefix of their own, for one or more instances. */
export async function sharedInfrastructure(): Promise<SharedInfrastructure> {
  const schema = await createSchema();
  const redisPrefix = uniquePrefix();
  return {
    databaseUrl: schema.url,
    redisPrefix,
    drop: async () => {
      const redis = await connectRedis();
      await dropKeys(redis, redisPrefix);
      redis.disconnect();
      await schema.drop();
    },
  };
}

/** The demo with `DATABASE_URL` and `REDIS_URL` set, on `infrastructure`. */
export async function infrastructureHarness(
  infrastructure: SharedInfrastructure,
  env: NodeJS.ProcessEnv = {},
  options: Pick<DemoOptions, 'userPoolLimits'> = {},
): Promise<DemoHarness> {
  const admin = new Pool({ connectionString: infrastructure.databaseUrl });
  return harness(
    {
      DATABASE_URL: infrastructure.databaseUrl,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: infrastructure.redisPrefix,
      ...env,
    },
    undefined,
    async (id, changes) => {
      if (changes.roles !== undefined)
        await admin.query('UPDATE users SET roles = $2 WHERE id = $1', [id, changes.roles]);
      if (changes.is_active !== undefined) {
        await admin.query('UPDATE users SET is_active = $2 WHERE id = $1', [id, changes.is_active]);
      }
    },
    () => admin.end(),
    options,
  );
}

/** Two instances of one deployment, and how to stop them. */
export interface TwoInstances {
  a: DemoHarness;
  b: DemoHarness;
  infrastructure: SharedInfrastructure;
  /** Stops both, then drops the schema and the keys. */
  close: () => Promise<void>;
}

/**
 * Two demo instances on one fresh PostgreSQL schema and Redis prefix, with `env` each, started
 * at once (table creation and seeding race, as in a deployment).
 */
export async function twoInstances(env: NodeJS.ProcessEnv = {}): Promise<TwoInstances> {
  const infrastructure = await sharedInfrastructure();
  const [a, b] = await Promise.all([
    infrastructureHarness(infrastructure, env),
    infrastructureHarness(infrastructure, env),
  ]);
  return {
    a,
    b,
    infrastructure,
    close: async () => {
      await a.close();
      await b.close();
      await infrastructure.drop();
    },
  };
}

async function harness(
  env: NodeJS.ProcessEnv,
  userStore: MemoryUserStore | undefined,
  updateUser: DemoHarness['updateUser'],
  closeExtra: () => Promise<void>,
  options: Pick<DemoOptions, 'userPoolLimits'> = {},
): Promise<DemoHarness> {
  const clock = new FrozenClock();
  const logs: string[] = [];
  const demo = await createDemoApp({
    env: testEnvironment(env),
    logger: jsonLogger((line) => logs.push(line)),
    clock,
    ...(userStore ? { userStore } : {}),
    ...options,
  });
  const callback = demo.app.callback();
  const http = () => request.agent(callback);
  return {
    demo,
    clock,
    logs,
    http,
    login: async (username, password) => {
      const response = await http().post('/auth/login').send({ username, password }).expect(200);
      return response.body as TokenPair;
    },
    updateUser,
    // Safe logging: whatever an e2e spec did, no log line of it may hold a secret.
    close: async () => {
      await demo.close();
      await closeExtra();
      expectNoSecretsInLogs(logs);
    },
  };
}

export const bearer = (token: string): Record<string, string> => ({
  Authorization: `Bearer ${token}`,
});
