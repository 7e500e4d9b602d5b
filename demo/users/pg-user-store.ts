import type { Pool, QueryConfig } from 'pg';
import { InvalidRequestError, StoreUnavailableError } from '../../src';
import type { DemoUser, NewDemoUser } from './demo-user';
import type { UserStore } from './user-store';

/** Told once, at the first query, when the table already holds emails that differ only in case. */
export type EmailCollisionListener = () => void;

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS users (
  id bigserial PRIMARY KEY,
  email text UNIQUE NOT NULL,
  hashed_password text NOT NULL,
  roles text[] NOT NULL DEFAULT '{}',
  is_active boolean NOT NULL DEFAULT true
)`;

/**
 * Emails are unique whatever their case, also for rows another tool wrote in mixed case; the
 * lookup by email uses this index.
 */
export const LOWER_EMAIL_INDEX = 'users_lower_email_key';

const CREATE_LOWER_EMAIL_INDEX = `CREATE UNIQUE INDEX IF NOT EXISTS ${LOWER_EMAIL_INDEX}
  ON users (lower(email))`;

/** Columns the account lifecycle added: added to a table made before them, too. */
const ADD_EMAIL_VERIFIED = `ALTER TABLE users
  ADD COLUMN IF NOT EXISTS email_verified boolean NOT NULL DEFAULT false`;

const ADD_MFA = 'ALTER TABLE users ADD COLUMN IF NOT EXISTS mfa text';

const COLUMNS = 'id, email, hashed_password, roles, is_active, email_verified, mfa';

/** The lookup by email: the oldest row, should the table hold emails that differ only in case. */
export const FIND_BY_EMAIL = `SELECT ${COLUMNS} FROM users WHERE lower(email) = lower($1)
  ORDER BY id LIMIT 1`;

/**
 * A new user unless the email is taken, whatever its case: by the unique constraints (any of
 * them: ON CONFLICT with no target), and by the NOT EXISTS where the lower(email) index could
 * not be created.
 */
const INSERT_USER = `INSERT INTO users (email, hashed_password, roles, is_active, email_verified)
  SELECT $1::text, $2::text, $3::text[], $4::boolean, $5::boolean
  WHERE NOT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower($1))
  ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`;

/** The statement timeout of the table and index creation, once per start. */
const SCHEMA_TIMEOUT_MS = 30_000;

/** Text PostgreSQL cannot store: a NUL byte (SQLSTATE 22021). */
const NUL = '\u0000';

interface UserRow {
  id: string;
  email: string;
  hashed_password: string;
  roles: string[];
  is_active: boolean;
  email_verified: boolean;
  mfa: string | null;
}

/**
 * Users in PostgreSQL, table `users` (created if missing, in the connection's search_path),
 * with a unique index on `lower(email)` (created if missing, also on a table another tool
 * made). Each lookup reads the row afresh, so `is_active` and `roles` changed in the table
 * count on the next request. With PostgreSQL down or slow, every call fails with
 * `StoreUnavailableError` (503) and the store recovers by itself when it returns.
 *
 * When rows already differ only in the case of their email, the index cannot be created:
 * the store still starts (the users can still log in; the oldest of such rows wins the
 * lookup), `onEmailCollision` is told so that it can be logged loudly, and registering an
 * email that matches any row whatever its case is still refused.
 */
export class PgUserStore implements UserStore {
  private schema: Promise<void> | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly onEmailCollision: EmailCollisionListener = () => undefined,
  ) {}

  /** An email PostgreSQL cannot store (a NUL byte) is no user's, as an unknown one. */
  async findByEmail(email: string): Promise<DemoUser | undefined> {
    if (email.includes(NUL)) return undefined;
    return this.one(FIND_BY_EMAIL, [email]);
  }

  async findById(id: number): Promise<DemoUser | undefined> {
    return this.one(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
  }

  /** `InvalidRequestError` (400) for an email PostgreSQL cannot store (a NUL byte). */
  async create(user: NewDemoUser): Promise<DemoUser | undefined> {
    if (user.email.includes(NUL)) throw new InvalidRequestError('email');
    const { email, hashed_password, roles, is_active } = user;
    const verified = user.email_verified === true;
    return this.one(INSERT_USER, [email, hashed_password, roles, is_active, verified]);
  }

  async setPasswordHash(id: number, hash: string): Promise<void> {
    await this.query('UPDATE users SET hashed_password = $2 WHERE id = $1', [id, hash]);
  }

  async replacePasswordHash(id: number, expected: string, hash: string): Promise<boolean> {
    const rows = await this.query<{ id: string }>(
      'UPDATE users SET hashed_password = $3 WHERE id = $1 AND hashed_password = $2 RETURNING id',
      [id, expected, hash],
    );
    return rows.length === 1;
  }

  async markEmailVerified(id: number, email: string): Promise<boolean> {
    const rows = await this.query<{ id: string }>(
      `UPDATE users SET email_verified = true
        WHERE id = $1 AND email = $2 AND NOT email_verified RETURNING id`,
      [id, email],
    );
    return rows.length === 1;
  }

  async replaceSecondFactor(
    id: number,
    expected: string | null,
    next: string | null,
  ): Promise<boolean> {
    const rows = await this.query<{ id: string }>(
      'UPDATE users SET mfa = $3 WHERE id = $1 AND mfa IS NOT DISTINCT FROM $2 RETURNING id',
      [id, expected, next],
    );
    return rows.length === 1;
  }

  async list(): Promise<DemoUser[]> {
    return (await this.query(`SELECT ${COLUMNS} FROM users ORDER BY id`, [])).map(toUser);
  }

  async count(): Promise<number> {
    const [row] = await this.query<{ count: string }>('SELECT count(*) AS count FROM users', []);
    return Number(row?.count ?? 0);
  }

  private async one(sql: string, values: unknown[]): Promise<DemoUser | undefined> {
    const [row] = await this.query<UserRow>(sql, values);
    return row && toUser(row);
  }

  private async query<Row extends object = UserRow>(
    sql: string,
    values: unknown[],
  ): Promise<Row[]> {
    try {
      await this.ensureSchema();
      return (await this.pool.query<Row>(sql, values)).rows;
    } catch (error) {
      throw isUnavailable(error) ? new StoreUnavailableError() : error;
    }
  }

  /** Creates the table and the index once; tried again on the next call if PostgreSQL was down. */
  private ensureSchema(): Promise<void> {
    this.schema ??= this.createSchema().catch((error: unknown) => {
      this.schema = undefined;
      throw error;
    });
    return this.schema;
  }

  /**
   * On a connection of its own with a longer statement timeout than the pool's (building the
   * index on a large table takes a while), discarded afterwards so the setting goes with it.
   */
  private async createSchema(): Promise<void> {
    const client = await this.pool.connect();
    const run = async (text: string, values: unknown[] = []) => {
      // A query_timeout of its own: pg reads it per query, @types/pg does not declare it.
      const config = { text, values, query_timeout: SCHEMA_TIMEOUT_MS + 1_000 } as QueryConfig;
      return (await client.query<{ found?: boolean }>(config)).rows;
    };
    try {
      await run(`SET statement_timeout = ${SCHEMA_TIMEOUT_MS}`);
      try {
        await run(CREATE_TABLE);
      } catch (error) {
        // Two instances creating the table at once: the loser's error means it exists (its
        // row type may be the one found taken: 42710).
        if (!isUniqueViolation(error) && !isDuplicateRelation(error) && !isDuplicateObject(error)) {
          throw error;
        }
      }
      for (const column of [ADD_EMAIL_VERIFIED, ADD_MFA]) {
        try {
          await run(column);
        } catch (error) {
          // Two instances adding the column at once: the loser's error means it exists.
          if (!isUniqueViolation(error) && !isDuplicateColumn(error)) throw error;
        }
      }
      try {
        await run(CREATE_LOWER_EMAIL_INDEX);
      } catch (error) {
        if (isDuplicateRelation(error)) return;
        if (!isUniqueViolation(error)) throw error;
        // Either another instance created the index at the same moment, or rows collide.
        const [row] = await run('SELECT to_regclass($1) IS NOT NULL AS found', [LOWER_EMAIL_INDEX]);
        if (row?.found !== true) this.onEmailCollision();
      }
    } finally {
      client.release(true);
    }
  }
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '23505';
}

/** 42P07: the relation was created by another session between the check and the creation. */
function isDuplicateRelation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '42P07';
}

/** 42710: the table's row type was created by another session creating the same table. */
function isDuplicateObject(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '42710';
}

/** 42701: the column was added by another session between the check and the addition. */
function isDuplicateColumn(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '42701';
}

function toUser(row: UserRow): DemoUser {
  return { ...row, id: Number(row.id), roles: [...row.roles] };
}

/**
 * Connection problems, not query bugs: no SQLSTATE at all (refused, reset, timed out), or
 * one of the classes "connection exception", "insufficient resources", "operator
 * intervention" and "system error".
 */
function isUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return true;
  return ['08', '53', '57', '58'].includes(code.slice(0, 2));
}
