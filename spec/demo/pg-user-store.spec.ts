import bcrypt from 'bcrypt';
import { expect } from 'chai';
import { Pool } from 'pg';
import { StoreUnavailableError, TokenService } from '../../src';
import { PgUserStore } from '../../demo/users/pg-user-store';
import {
  bearer,
  demoHarness,
  infrastructureHarness,
  sharedInfrastructure,
} from '../helpers/demo-harness';
import type { SharedInfrastructure } from '../helpers/demo-harness';
import { freePort } from '../helpers/private-redis';
import {
  eachTestSchema,
  postgresAnswers,
  redisAnswers,
  requireServer,
} from '../helpers/real-servers';
import { rejection } from '../helpers/rejection';

describe('PgUserStore and the demo on PostgreSQL', function () {
  before(async function () {
    await requireServer(this, 'PostgreSQL', postgresAnswers);
    await requireServer(this, 'Redis', redisAnswers);
  });

  describe('the users table', () => {
    const db = eachTestSchema();

    it("is created if missing, with the contract's columns, and again without error", async () => {
      await new PgUserStore(db.pool).count();
      await new PgUserStore(db.pool).count();
      const columns = await db.pool.query<{ column_name: string; data_type: string }>(
        `SELECT column_name, data_type FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = 'users' ORDER BY ordinal_position`,
      );
      expect(columns.rows.map((c) => `${c.column_name} ${c.data_type}`)).to.deep.equal([
        'id bigint',
        'email text',
        'hashed_password text',
        'roles ARRAY',
        'is_active boolean',
        'email_verified boolean',
        'mfa text',
      ]);
    });

    it('refuses a second user with the same email', async () => {
      const store = new PgUserStore(db.pool);
      const user = {
        email: 'a@example.com',
        hashed_password: 'h',
        roles: ['user'],
        is_active: true,
      };
      expect((await store.create(user))?.id).to.equal(1);
      expect(await store.create(user)).to.equal(undefined);
      expect(await store.count()).to.equal(1);
    });
  });

  describe('users written by other tools', () => {
    let infrastructure: SharedInfrastructure;
    let admin: Pool;
    beforeEach(async () => {
      infrastructure = await sharedInfrastructure();
      admin = new Pool({ connectionString: infrastructure.databaseUrl });
    });
    afterEach(async () => {
      await admin.end();
      await infrastructure.drop();
    });

    it('log in with $2a$, $2b$ and $2y$ hashes and mixed-case emails', async () => {
      const h = await infrastructureHarness(infrastructure);
      try {
        const body = (await bcrypt.hash('tool-password', 4)).slice(4);
        for (const [email, prefix] of [
          ['php@example.com', '$2y$'],
          ['Legacy@Example.com', '$2a$'],
          ['node@example.com', '$2b$'],
        ]) {
          await admin.query(
            `INSERT INTO users (email, hashed_password, roles) VALUES ($1, $2, '{user}')`,
            [email, `${prefix}${body}`],
          );
        }
        for (const username of ['php@example.com', 'legacy@example.com', 'NODE@example.com']) {
          const pair = await h.login(username, 'tool-password');
          await h.http().get('/users/me').set(bearer(pair.access_token)).expect(200);
        }
      } finally {
        await h.close();
      }
    });
  });

  describe('PostgreSQL unreachable', () => {
    it('the demo starts, answers 503 where it needs users, and 200 elsewhere', async () => {
      const port = await freePort();
      const h = await demoHarness({
        DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/postgres`,
      });
      try {
        expect(h.demo.seeded).to.deep.equal([]);
        await h.http().get('/health').expect(200);
        const login = await h
          .http()
          .post('/auth/login')
          .send({ username: 'user@example.com', password: 'user-password' });
        expect(login.status).to.equal(503);
        expect(login.body.error).to.equal('temporarily_unavailable');
        const token = h.demo.container
          .get(TokenService)
          .createAccessToken({ sub: '1', roles: ['user'] });
        const me = await h.http().get('/users/me').set(bearer(token));
        expect(me.status).to.equal(503);
      } finally {
        await h.close();
      }
    });

    it('the store says StoreUnavailableError, not a driver error', async () => {
      const port = await freePort();
      const pool = new Pool({
        connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`,
        connectionTimeoutMillis: 500,
      });
      try {
        expect(await rejection(new PgUserStore(pool).findById(1))).to.be.instanceOf(
          StoreUnavailableError,
        );
      } finally {
        await pool.end();
      }
    });
  });
});
