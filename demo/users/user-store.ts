import type { DemoUser } from './demo-user';

/** What the demo needs of a user store: in memory by default, PostgreSQL with DATABASE_URL. */
export interface UserStore {
  /** `email` is already lower case. */
  findByEmail(email: string): Promise<DemoUser | undefined>;
  findById(id: number): Promise<DemoUser | undefined>;
  /** The new user, or `undefined` when the email is taken. */
  create(user: Omit<DemoUser, 'id'>): Promise<DemoUser | undefined>;
  setPasswordHash(id: number, hash: string): Promise<void>;
  /** Sets `hash` only if the stored hash is `expected`, in one atomic step: `true` if it did. */
  replacePasswordHash(id: number, expected: string, hash: string): Promise<boolean>;
  list(): Promise<DemoUser[]>;
  count(): Promise<number>;
}
