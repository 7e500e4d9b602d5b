import type { DemoUser, NewDemoUser } from './demo-user';

/** What the demo needs of a user store: in memory by default, PostgreSQL with DATABASE_URL. */
export interface UserStore {
  /** `email` is already lower case. */
  findByEmail(email: string): Promise<DemoUser | undefined>;
  findById(id: number): Promise<DemoUser | undefined>;
  /** The new user, or `undefined` when the email is taken. */
  create(user: NewDemoUser): Promise<DemoUser | undefined>;
  setPasswordHash(id: number, hash: string): Promise<void>;
  /** Sets `hash` only if the stored hash is `expected`, in one atomic step: `true` if it did. */
  replacePasswordHash(id: number, expected: string, hash: string): Promise<boolean>;
  /**
   * Marks the email verified only if the user's email is still `email` and not verified yet,
   * in one atomic step: `true` if it did.
   */
  markEmailVerified(id: number, email: string): Promise<boolean>;
  /** Sets the second-factor record only if it is still `expected`, in one atomic step. */
  replaceSecondFactor(id: number, expected: string | null, next: string | null): Promise<boolean>;
  list(): Promise<DemoUser[]>;
  count(): Promise<number>;
}
