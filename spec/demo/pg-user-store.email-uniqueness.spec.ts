import bcrypt from 'bcrypt';
import { expect } from 'chai';
import { Pool } from 'pg';
import { FIND_BY_EMAIL, LOWER_EMAIL_INDEX, PgUserStore } from '../../demo/users/pg-user-store';
import { infrastructureHarness, sharedInfrastructure } from '../helpers/demo-harness';
import type { SharedInfrastructure } from '../helpers/demo-harness';
import {
  eachTestSchema,
  postgresAnswers,
  redisAnswers,
  requireServer,
} from '../helpers/real-servers';

/** The table as the contract names it, made by another tool before the demo first runs. */
const CONTRACT_TABLE = `CREATE TABLE users (
  id bigserial primary key, email text unique not null, hashed_password text not null,
  roles text[] not null default '{}', is_active boolean not null default true)`;

const newUser = (email: string) => ({
  email,
  hashed_password: 'h',
  roles: ['user'],
  is_active: true,
});

async function lowerEmailIndex(pool: Pool): Promise<string | undefined> {
  const { rows } = await pool.query<{ indexdef: string }>(
    `SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND indexname = $1`,
    [LOWER_EMAIL_INDEX],
  );
  return rows[0]?.indexdef;
}

describe('PgUserStore: emails are unique whatever their case, in the schema', function () {
  before(async function () {
    await requireServer(this, 'PostgreSQL', postgresAnswers);
  });
  const db = eachTestSchema();

  it('creates a unique index on lower(email), also on a table another tool made', async () => {
    await db.pool.query(CONTRACT_TABLE);
    await new PgUserStore(db.pool).count();
    expect(await lowerEmailIndex(db.pool)).to.match(/^CREATE UNIQUE INDEX .* \(lower\(email\)\)$/);
  });

  it('refuses bob@ when another tool wrote Bob@: a conflict, and one row', async () => {
    await db.pool.query(CONTRACT_TABLE);
    await db.pool.query(
      `INSERT INTO users (email, hashed_password) VALUES ('Bob@Example.com', 'h')`,
    );
    const store = new PgUserStore(db.pool);
    expect(await store.create(newUser('bob@example.com'))).to.equal(undefined);
    expect(await store.count()).to.equal(1);
    expect((await store.findByEmail('bob@example.com'))?.email).to.equal('Bob@Example.com');
  });

  it('looks emails up through the index', async () => {
    const store = new PgUserStore(db.pool);
    for (let i = 0; i < 50; i++) await store.create(newUser(`user${i}@example.com`));
    const client = await db.pool.connect();
    try {
      // The table is small: forbid the sequential scan to see whether the index can serve.
      await client.query('SET enable_seqscan = off');
      const plan = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${FIND_BY_EMAIL}`, [
        'user7@example.com',
      ]);
      expect(plan.rows.map((row) => row['QUERY PLAN']).join('\n')).to.contain(LOWER_EMAIL_INDEX);
    } finally {
      client.release(true);
    }
  });

  it('instances creating the schema at once all start, without a collision reported (many trials)', async () => {
    for (let trial = 0; trial < 10; trial += 1) {
      const collisions: string[] = [];
      const stores = [1, 2, 3].map(() => new PgUserStore(db.pool, () => collisions.push('x')));
      const counts = await Promise.all(stores.map((store) => store.count()));
      expect(counts, `trial ${trial}`).to.deep.equal([0, 0, 0]);
      expect(collisions).to.deep.equal([]);
      expect(await lowerEmailIndex(db.pool)).to.be.a('string');
      // The next trial's instances find no table again.
      await db.pool.query('DROP TABLE users');
    }
  });

  describe('rows that already differ only in case (the index cannot be created)', () => {
    beforeEach(async () => {
      await db.pool.query(CONTRACT_TABLE);
      await db.pool.query(
        `INSERT INTO users (email, hashed_password) VALUES ('Bob@Example.com', 'h1'), ('bob@example.com', 'h2')`,
      );
    });

    it('the store starts and says so once; the oldest row wins every lookup', async () => {
      const collisions: string[] = [];
      const store = new PgUserStore(db.pool, () => collisions.push('collision'));
      for (let i = 0; i < 5; i++) {
        expect((await store.findByEmail('bob@example.com'))?.hashed_password).to.equal('h1');
      }
      expect(collisions).to.deep.equal(['collision']);
      expect(await lowerEmailIndex(db.pool)).to.equal(undefined);
    });

    it('registration still refuses any email matching a row whatever its case', async () => {
      const store = new PgUserStore(db.pool);
      expect(await store.create(newUser('bob@example.com'))).to.equal(undefined);
      expect(await store.create(newUser('BOB@example.com'))).to.equal(undefined);
      expect((await store.create(newUser('carol@example.com')))?.email).to.equal(
        'carol@example.com',
      );
      expect(await store.count()).to.equal(3);
    });
  });
});

describe('demo on PostgreSQL: emails differing only in case are one account', function () {
  let infrastructure: SharedInfrastructure;
  let admin: Pool;
  before(async function () {
    await requireServer(this, 'PostgreSQL', postgresAnswers);
    await requireServer(this, 'Redis', redisAnswers);
  });
  beforeEach(async () => {
    infrastructure = await sharedInfrastructure();
    admin = new Pool({ connectionString: infrastructure.databaseUrl });
    await admin.query(CONTRACT_TABLE);
  });
  afterEach(async () => {
    await admin.end();
    await infrastructure.drop();
  });

  it('registering bob@ when another tool wrote Bob@ is 409 conflict, and bob@ logs into Bob’s account only', async () => {
    const hash = await bcrypt.hash('bobs-own-password', 4);
    await admin.query(
      `INSERT INTO users (email, hashed_password, roles) VALUES ('Bob@Example.com', $1, '{user}')`,
      [hash],
    );
    const h = await infrastructureHarness(infrastructure);
    try {
      const register = await h
        .http()
        .post('/auth/register')
        .send({ email: 'bob@example.com', password: 'attacker-password' });
      expect(register.status).to.equal(409);
      expect(register.body).to.deep.equal({
        error: 'conflict',
        error_description: 'The resource already exists.',
      });
      const attacker = await h
        .http()
        .post('/auth/login')
        .send({ username: 'bob@example.com', password: 'attacker-password' });
      expect(attacker.status).to.equal(401);
      await h.login('bob@example.com', 'bobs-own-password');
    } finally {
      await h.close();
    }
  });

  it('with rows already colliding: starts, logs it loudly once, refuses the colliding registration', async () => {
    await admin.query(
      `INSERT INTO users (email, hashed_password) VALUES ('Bob@Example.com', 'h1'), ('bob@example.com', 'h2')`,
    );
    const h = await infrastructureHarness(infrastructure);
    try {
      await h.http().get('/health').expect(200);
      const register = await h
        .http()
        .post('/auth/register')
        .send({ email: 'BOB@example.com', password: 'another-password' });
      expect(register.status).to.equal(409);
      const lines = h.logs.filter((line) => line.includes('users_email_collision'));
      expect(lines).to.have.length(1);
      expect(JSON.parse(lines[0] ?? '{}')).to.include({ level: 'error' });
      expect(lines[0]).not.to.match(/bob@/i);
    } finally {
      await h.close();
    }
  });
});
