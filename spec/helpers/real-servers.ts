import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { Pool } from 'pg';
import { createRedisClient } from '../../src/revocation/redis-client';

/** Where the real servers are: `.ci/run` makes sure both answer there. */
export const TEST_REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
export const TEST_DATABASE_URL =
  process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * In a `before` hook: go on when the server answers. When it does not, fail in CI (a
 * skipped Redis or PostgreSQL spec proves nothing) and, elsewhere, skip loudly.
 */
export async function requireServer(
  context: Mocha.Context,
  name: string,
  answers: () => Promise<boolean>,
): Promise<void> {
  if (await answers()) return;
  if (process.env['CI']) throw new Error(`${name} does not answer: CI must run these specs`);
  process.stderr.write(
    `\n  !!! ${name} does not answer: SKIPPING its specs (start it to run them)\n\n`,
  );
  context.skip();
}

/** A fail-fast client, connected (commands fail rather than queue before it is ready). */
export async function connectRedis(url = TEST_REDIS_URL): Promise<Redis> {
  const client = createRedisClient(url, { connectTimeout: 500 });
  try {
    await new Promise<void>((ready, fail) => {
      client.once('ready', ready);
      setTimeout(() => fail(new Error('Redis did not become ready')), 2000).unref();
    });
  } catch (error) {
    // Else it keeps reconnecting, and keeps the test process alive.
    client.disconnect();
    throw error;
  }
  return client;
}

export async function redisAnswers(): Promise<boolean> {
  try {
    const client = await connectRedis();
    client.disconnect();
    return true;
  } catch {
    return false;
  }
}

export async function postgresAnswers(): Promise<boolean> {
  const pool = new Pool({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 1000 });
  try {
    await pool.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await pool.end();
  }
}

/** A key prefix of a test's own; `dropKeys` removes what was written under it. */
export function uniquePrefix(): string {
  return `fastcore-test:${randomUUID()}:`;
}

export async function dropKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** A PostgreSQL schema of a test's own, and a connection string whose search_path is it. */
export async function createSchema(): Promise<{ url: string; drop: () => Promise<void> }> {
  const schema = `test_${randomUUID().replace(/-/g, '')}`;
  const admin = new Pool({ connectionString: TEST_DATABASE_URL });
  await admin.query(`CREATE SCHEMA ${schema}`);
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    drop: async () => {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
}

/** In a `describe`: a schema and a pool on it, of each test's own, ended and dropped after it. */
export function eachTestSchema(): { readonly pool: Pool; readonly url: string } {
  let schema: Awaited<ReturnType<typeof createSchema>> | undefined;
  let pool: Pool | undefined;
  beforeEach(async () => {
    schema = await createSchema();
    pool = new Pool({ connectionString: schema.url });
  });
  afterEach(async () => {
    await pool?.end();
    await schema?.drop();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('eachTestSchema is used outside a test');
    return value;
  };
  return {
    get pool() {
      return ready(pool);
    },
    get url() {
      return ready(schema).url;
    },
  };
}
