import type { AccountMail } from '../account/account-mail';
import type { TokenData } from '../tokens/token-data';

/**
 * What the login workflow needs to know of the application's users: how to find them and
 * read them. `BaseUserAuthentication` is the class an application extends to provide it.
 */
export interface UserAdapter<User> {
  /** The user with this login name, or null/undefined. */
  getUserByUsername(username: string): Promise<User | null | undefined>;
  /** The user whose id is a token's `sub`, or null/undefined. */
  getUserById(id: string): Promise<User | null | undefined>;
  getUserId(user: User): string | number;
  /** The login name (what `getUserByUsername` finds the user by): the throttling key. */
  getUsername(user: User): string;
  /**
   * A typed login name folded exactly as `getUserByUsername` folds it, so that every
   * spelling that finds one account counts on one throttling counter.
   */
  loginNameKey(username: string): string;
  /** The stored bcrypt hash (`$2a$`, `$2b$` or `$2y$`); null or corrupt means "cannot log in". */
  getHashedPassword(user: User): string | null | undefined;
  getRoles(user: User): readonly string[];
  /** Inactive users cannot log in, refresh or use their tokens. */
  isActive(user: User): boolean;
  /** Stores a new hash for the user (password change, cheap-hash upgrade). */
  updatePasswordHash(user: User, hash: string): Promise<void>;
  /**
   * Stores `hash` only if the stored hash is still `expectedHash`: `false` when another
   * change came first. A password change uses it, so that of concurrent changes one wins.
   */
  replacePasswordHash(user: User, expectedHash: string, hash: string): Promise<boolean>;
  /** The user a token names, when it still exists and is active; `null` otherwise. */
  getActiveUserById(id: string): Promise<User | null>;
  /** Claims of the user's tokens: subject and roles, and whatever the application adds. */
  tokenData(user: User): TokenData;
  /** What the auth routes answer for a user (registration): never a hash. */
  publicUser(user: User): object;
  /**
   * Creates a user with a bcrypt hash made by the workflow; `undefined` when the name is
   * taken. Optional: without it there is no registration.
   */
  createUser?(username: string, hashedPassword: string): Promise<User | undefined>;
  /** Where the user's account mails go; null/undefined when the user has no email. */
  getEmail(user: User): string | null | undefined;
  /** The user with this email ("forgot password"), or null/undefined. */
  getUserByEmail(email: string): Promise<User | null | undefined>;
  /** Whether the user's current email has been proven (a verification link followed). */
  isEmailVerified(user: User): boolean;
  /**
   * Marks the email verified only if the user's email is still `email` and not yet verified,
   * in one atomic step: `false` otherwise. Optional: without it there is no email
   * verification.
   */
  markEmailVerified?(user: User, email: string): Promise<boolean>;
  /**
   * Sends an account mail (a link carrying `mail.token`) to `mail.to`. Optional: without it
   * there is no email verification and no password reset.
   */
  deliverAccountMail?(user: User, mail: AccountMail): Promise<void>;
  /** The user's second-factor record as last stored through `replaceSecondFactor`, or none. */
  getSecondFactor(user: User): string | null | undefined;
  /**
   * Stores `next` (`null`: no second factor) only if the stored record is still `expected`
   * (`null`: none), in one atomic step: `false` otherwise. Optional: without it there is no
   * second factor.
   */
  replaceSecondFactor?(user: User, expected: string | null, next: string | null): Promise<boolean>;
}
