import type { Pool } from 'pg';
import { StoreUnavailableError } from '../../src';
import type { DemoUser } from './demo-user';
import type { UserStore } from './user-store';

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS users (
  id bigserial PRIMARY KEY,
  email text UNIQUE NOT NULL,
  hashed_password text NOT NULL,
  roles text[] NOT NULL DEFAULT '{}',
  is_active boolean NOT NULL DEFAULT true
)`;

const COLUMNS = 'id, email, hashed_password, roles, is_active';

interface UserRow {
  id: string;
  email: string;
  hashed_password: string;
  roles: string[];
  is_active: boolean;
}

/**
 * Users in PostgreSQL, table `users` (created if missing, in the connection's search_path).
 * Each lookup reads the row afresh, so `is_active` and `roles` changed in the table count on
 * the next request. With PostgreSQL down or slow, every call fails with
 * `StoreUnavailableError` (503) and the store recovers by itself when it returns.
 */
export class PgUserStore implements UserStore {
  private schema: Promise<void> | undefined;

  constructor(private readonly pool: Pool) {}

  async findByEmail(email: string): Promise<DemoUser | undefined> {
    return this.one(`SELECT ${COLUMNS} FROM users WHERE lower(email) = $1`, [email]);
  }

  async findById(id: number): Promise<DemoUser | undefined> {
    return this.one(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
  }

  async create(user: Omit<DemoUser, 'id'>): Promise<DemoUser | undefined> {
    return this.one(
      `INSERT INTO users (email, hashed_password, roles, is_active) VALUES ($1, $2, $3, $4)
       ON CONFLICT (email) DO NOTHING RETURNING ${COLUMNS}`,
      [user.email, user.hashed_password, user.roles, user.is_active],
    );
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

  /** Creates the table once; tried again on the next call if PostgreSQL was down. */
  private ensureSchema(): Promise<void> {
    this.schema ??= this.pool.query(CREATE_TABLE).then(
      () => undefined,
      (error: unknown) => {
        this.schema = undefined;
        // Two instances creating the table at once: the loser's error means it exists.
        if ((error as { code?: string }).code === '23505') return undefined;
        throw error;
      },
    );
    return this.schema;
  }
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
