import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Pool } from 'pg';
import type { PoolClient } from 'pg';
import { StoreUnavailableError, TokenService } from '../../src';
import { DEFAULT_USER_POOL_LIMITS, createUserPool } from '../../demo/users/pg-user-pool';
import { PgUserStore } from '../../demo/users/pg-user-store';
import { bearer, infrastructureHarness, sharedInfrastructure } from '../helpers/demo-harness';
import type { SharedInfrastructure } from '../helpers/demo-harness';
import {
  TEST_DATABASE_URL,
  eachTestSchema,
  postgresAnswers,
  redisAnswers,
  requireServer,
} from '../helpers/real-servers';
import { rejection } from '../helpers/rejection';

/** Small limits, injected: PostgreSQL enforces them, the spec only bounds generously. */
const LIMITS = {
  max: 3,
  statementTimeoutMs: 300,
  queryTimeoutMs: 4_000,
  connectionTimeoutMs: 2_000,
};
const GENEROUS_MS = 5_000;

/** A URL whose backends pg_stat_activity shows under an application_name of this spec's own. */
function named(url: string): { url: string; name: string } {
  const name = `fastcore-spec-${randomUUID().slice(0, 8)}`;
  const named = new URL(url);
  named.searchParams.set('application_name', name);
  return { url: named.toString(), name };
}

/** Another client holds the table: every statement on it waits, as on a slow PostgreSQL. */
async function lockUsers(admin: Pool): Promise<PoolClient> {
  const holder = await admin.connect();
  await holder.query('BEGIN');
  await holder.query('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
  return holder;
}

async function unlock(holder: PoolClient): Promise<void> {
  await holder.query('ROLLBACK');
  holder.release();
}

/** Our backends: how many, and how many still running a statement. */
async function backends(observer: Pool, name: string): Promise<{ all: number; active: number }> {
  const { rows } = await observer.query<{ all: string; active: string }>(
    `SELECT count(*) AS all, count(*) FILTER (WHERE state = 'active') AS active
     FROM pg_stat_activity WHERE application_name = $1`,
    [name],
  );
  return { all: Number(rows[0]?.all), active: Number(rows[0]?.active) };
}

async function eventually(check: () => Promise<boolean>): Promise<boolean> {
  const until = Date.now() + GENEROUS_MS;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((tick) => setTimeout(tick, 50));
  }
  return false;
}

describe('the demo’s PostgreSQL pool: a slow PostgreSQL is not flooded', function () {
  let observer: Pool;
  before(async function () {
    await requireServer(this, 'PostgreSQL', postgresAnswers);
    observer = new Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
  });
  after(async () => observer?.end());

  it('sets a server-side statement timeout shorter than the client’s, and bounds the pool', () => {
    expect(DEFAULT_USER_POOL_LIMITS.statementTimeoutMs).to.be.below(
      DEFAULT_USER_POOL_LIMITS.queryTimeoutMs,
    );
    expect(DEFAULT_USER_POOL_LIMITS.max).to.be.within(1, 20);
    const pool = createUserPool('postgres://127.0.0.1/none');
    try {
      expect(pool.options).to.deep.include({
        max: 10,
        statement_timeout: 1_500,
        idle_in_transaction_session_timeout: 5_000,
        connectionTimeoutMillis: 1_000,
      });
    } finally {
      void pool.end();
    }
  });

  describe('the store, with the table locked by another client', () => {
    const db = eachTestSchema();

    it('PostgreSQL cancels each waiting statement: StoreUnavailableError, backends bounded and freed', async () => {
      const { url, name } = named(db.url);
      const pool = createUserPool(url, LIMITS);
      const store = new PgUserStore(pool);
      await store.count(); // the schema exists before the lock
      const holder = await lockUsers(db.pool);
      try {
        const lookups = Array.from({ length: 30 }, (_, i) =>
          rejection(store.findByEmail(`user${i}@example.com`)),
        );
        let most = 0;
        const watching = (async () => {
          for (let i = 0; i < 10; i++) {
            most = Math.max(most, (await backends(observer, name)).all);
            await new Promise((tick) => setTimeout(tick, 30));
          }
        })();
        const errors = await Promise.all(lookups);
        await watching;
        for (const error of errors) expect(error).to.be.instanceOf(StoreUnavailableError);
        expect(most).to.be.at.most(LIMITS.max);
        // Cancelled by the server while the lock is still held: no backend keeps waiting.
        expect(
          await eventually(async () => (await backends(observer, name)).active === 0),
        ).to.equal(true);
      } finally {
        await unlock(holder);
      }
      expect(await store.findByEmail('user1@example.com')).to.equal(undefined);
      await pool.end();
      expect(await eventually(async () => (await backends(observer, name)).all === 0)).to.equal(
        true,
      );
    });
  });

  describe('the demo, with the table locked by another client', () => {
    let infrastructure: SharedInfrastructure;
    before(async function () {
      await requireServer(this, 'Redis', redisAnswers);
    });
    beforeEach(async () => (infrastructure = await sharedInfrastructure()));
    afterEach(async () => infrastructure.drop());

    it('login and authenticated routes answer 503 temporarily_unavailable, not 500, then recover', async () => {
      const { url, name } = named(infrastructure.databaseUrl);
      const h = await infrastructureHarness(
        infrastructure,
        { DATABASE_URL: url },
        {
          userPoolLimits: LIMITS,
        },
      );
      const admin = new Pool({ connectionString: infrastructure.databaseUrl });
      try {
        const token = h.demo.container
          .get(TokenService)
          .createAccessToken({ sub: '1', roles: ['admin'] });
        const holder = await lockUsers(admin);
        try {
          const answers = await Promise.all([
            // Other accounts each: how throttling counts a 503 is not this spec's concern.
            ...Array.from({ length: 10 }, (_, i) =>
              h
                .http()
                .post('/auth/login')
                .send({ username: `user${i}@example.com`, password: 'x' }),
            ),
            h.http().get('/users/me').set(bearer(token)),
            h.http().get('/admin/users').set(bearer(token)),
          ]);
          for (const answer of answers) {
            expect(answer.status).to.equal(503);
            expect(answer.body).to.deep.equal({
              error: 'temporarily_unavailable',
              error_description: 'The service is temporarily unavailable. Try again later.',
            });
          }
          expect(
            await eventually(async () => (await backends(observer, name)).active === 0),
          ).to.equal(true);
          expect((await backends(observer, name)).all).to.be.at.most(LIMITS.max);
        } finally {
          await unlock(holder);
        }
        await h.login('user@example.com', 'user-password');
        expect(h.logs.join('\n')).not.to.contain('server_error');
      } finally {
        await admin.end();
        await h.close();
      }
    });
  });
});
