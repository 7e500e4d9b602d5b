import type { AccountMail } from '../account/account-mail';
import type { AuditTrail } from '../audit/audit-trail';
import { ConfigurationError } from '../errors/security-errors';
import type { LoginOutcome } from '../mfa/second-factor-challenge';
import { isSecondFactorOn } from '../mfa/second-factor-record';
import type { PasswordHasher } from '../password/password-hasher';
import type { RefreshRotationService } from '../revocation/refresh-rotation-service';
import type { RevocationService } from '../revocation/revocation-service';
import type { LoginThrottle } from '../throttling/login-throttle';
import type { RegistrationThrottle } from '../throttling/registration-throttle';
import type { AccessTokenClaims } from '../tokens/token-claims';
import type { TokenData } from '../tokens/token-data';
import type { TokenPair } from '../tokens/token-pair';
import type { TokenService } from '../tokens/token-service';
import type { LoginClient } from './login-client';
import type { LoginWorkflow } from './login-workflow';
import type { UserAdapter } from './user-adapter';
import type { UserAuthentication } from './user-authentication';

/** Where a configured instance finds its workflow: the configuration it was given to. */
export interface LoginWorkflowSource {
  /** The workflow, built from the complete configuration (built now if it is not yet). */
  loginWorkflow(): LoginWorkflow<never>;
}

const sources = new WeakMap<object, LoginWorkflowSource>();

/**
 * Binds `users` to the configuration that was given it. Called by the composition root only;
 * an instance belongs to one configuration.
 * @throws ConfigurationError when `users` already belongs to another configuration.
 */
export function bindUserAuthentication(users: object, source: LoginWorkflowSource): void {
  const current = sources.get(users);
  if (current !== undefined && current !== source) {
    throw new ConfigurationError(
      'userAuthentication',
      'is already configured elsewhere (another container or createSecurity): make one instance per configuration',
    );
  }
  sources.set(users, source);
}

/**
 * The application's user lookup, and the login workflow around it. The application says how
 * to find and read its users; once this instance is given to `configureSecurity` or
 * `configureApp` (`userAuthentication`), the library does the rest with the configured
 * services: verify the password in constant work (an unknown user or a user without a usable
 * hash still costs one bcrypt compare at the configured cost), refuse inactive users with the
 * same answer as a wrong password, upgrade cheap hashes, throttle, issue and rotate tokens.
 *
 * The constructor resolves nothing, so the instance may be made before, inside or after the
 * configuration call; using the workflow before the instance is configured throws a
 * `ConfigurationError`, never falls back to defaults.
 *
 * @example
 * ```ts
 * class DatabaseUserAuthentication extends BaseUserAuthentication<User> {
 *   getUserByUsername(email: string) { return db.users.findByEmail(email.toLowerCase()); }
 *   getUserById(id: string) { return db.users.findById(id); }
 *   getUserId(user: User) { return user.id; }
 *   getUsername(user: User) { return user.email; }
 *   getHashedPassword(user: User) { return user.hashed_password; }
 *   getRoles(user: User) { return user.roles; }
 *   override isActive(user: User) { return user.is_active; }
 *   override updatePasswordHash(user: User, hash: string) { return db.users.setHash(user.id, hash); }
 * }
 * configureApp(app, { controllers, userAuthentication: new DatabaseUserAuthentication() });
 * ```
 */
export abstract class BaseUserAuthentication<User>
  implements UserAdapter<User>, UserAuthentication<User>
{
  /** The user with this login name, or null/undefined. */
  abstract getUserByUsername(username: string): Promise<User | null | undefined>;
  /** The user whose id is a token's `sub`, or null/undefined. */
  abstract getUserById(id: string): Promise<User | null | undefined>;
  abstract getUserId(user: User): string | number;
  /** The login name (what `getUserByUsername` finds the user by): the throttling key. */
  abstract getUsername(user: User): string;
  /** The stored bcrypt hash (`$2a$`, `$2b$` or `$2y$`); null or corrupt means "cannot log in". */
  abstract getHashedPassword(user: User): string | null | undefined;
  abstract getRoles(user: User): readonly string[];

  /** Inactive users cannot log in. Default: every user is active. */
  isActive(user: User): boolean {
    void user;
    return true;
  }

  /**
   * Stores a new hash for the user: after a password change, and after a login with a
   * cheaper hash than configured (then a failure here does not fail the login: it is
   * reported as `password_rehash_failed`). Default: does nothing, so password change needs
   * it overridden.
   */
  updatePasswordHash(user: User, hash: string): Promise<void> {
    void user;
    void hash;
    return Promise.resolve();
  }

  /**
   * A typed login name folded exactly as `getUserByUsername` folds it: the key of the login
   * throttle's account counters. Default: trimmed, NFC, lower case (a case-insensitive email
   * lookup). Override it when your lookup folds more (Unicode compatibility forms, dots in a
   * mailbox, …), or each spelling would get counters of its own.
   */
  loginNameKey(username: string): string {
    return username.normalize('NFC').trim().toLowerCase();
  }

  /**
   * Stores `hash` only if the stored hash is still `expectedHash`, and says whether it did:
   * the password change's compare-and-set. The default reads the user again and then calls
   * `updatePasswordHash`: exact within one process (the workflow runs one change per user
   * at a time there), not across instances. Override it with one conditional write for
   * that, e.g. `UPDATE users SET hashed_password = $3 WHERE id = $1 AND hashed_password = $2`
   * and `return rowCount === 1`.
   */
  async replacePasswordHash(user: User, expectedHash: string, hash: string): Promise<boolean> {
    const stored = await this.getUserById(String(this.getUserId(user)));
    if (stored === null || stored === undefined) return false;
    if (this.getHashedPassword(stored) !== expectedHash) return false;
    await this.updatePasswordHash(stored, hash);
    return true;
  }

  /**
   * The user a token names, when it still exists and is active; `null` otherwise. The one
   * rule behind every request's user (`RequestAuthentication`) and every refresh.
   */
  async getActiveUserById(id: string): Promise<User | null> {
    const user = await this.getUserById(id);
    return user !== null && user !== undefined && this.isActive(user) ? user : null;
  }

  /**
   * What the auth routes answer for a user (the registration's 201): the id, the login name
   * and the roles by default. Override it to choose the fields; never put the hash in it.
   */
  publicUser(user: User): object {
    return {
      id: this.getUserId(user),
      username: this.getUsername(user),
      roles: [...this.getRoles(user)],
    };
  }

  /**
   * Registration, for the auth routes' `POST /auth/register` (`authRoutes({ registration:
   * true })`): stores a new user with the given bcrypt hash (made at the configured cost by
   * the workflow, after the password policy and the registration throttle) and returns it,
   * or `undefined` when the name is taken (409). Not implemented by default: implement it to
   * offer registration. Roles never come from the request: give new users your default.
   */
  createUser?(username: string, hashedPassword: string): Promise<User | undefined>;

  /**
   * Where the user's account mails (verification, password reset) go. Default: the login
   * name (`getUsername`), for apps whose users log in with their email; override it
   * otherwise.
   */
  getEmail(user: User): string | null | undefined {
    return this.getUsername(user);
  }

  /**
   * The user with this email, for "forgot password". Default: `getUserByUsername`, for apps
   * whose users log in with their email; override it otherwise.
   */
  getUserByEmail(email: string): Promise<User | null | undefined> {
    return this.getUserByUsername(email);
  }

  /** Whether the user's current email has been proven. Default: never. */
  isEmailVerified(user: User): boolean {
    void user;
    return false;
  }

  /**
   * Email verification, for `authRoutes({ emailVerification: true })`: marks the user's
   * email verified only if it is still `email` and not yet verified, in one atomic step, and
   * says whether it did; the workflow calls it once the link's token checked out. Of two
   * uses of one link, on any instance, the compare-and-set lets one through. Not implemented
   * by default, e.g.
   * `UPDATE users SET email_verified = true WHERE id = $1 AND email = $2 AND NOT email_verified`
   * and `return rowCount === 1`.
   */
  markEmailVerified?(user: User, email: string): Promise<boolean>;

  /**
   * Sends an account mail: a link to your page with `mail.token` in it, to `mail.to`.
   * Needed by `authRoutes({ emailVerification: true })` and `({ passwordReset: true })`. The
   * workflow calls it off the request, after the answer (a slow or failing delivery tells a
   * client nothing); an error it throws is reported as `account_mail_failed` with the token
   * taken out of its message. Never log the token: it is a password until it is used.
   */
  deliverAccountMail?(user: User, mail: AccountMail): Promise<void>;

  /**
   * The user's second-factor record: the text last stored by `replaceSecondFactor`, as it
   * was given (the library's JSON, its TOTP secret encrypted). Default: none.
   */
  getSecondFactor(user: User): string | null | undefined {
    void user;
    return null;
  }

  /**
   * The second factor, for `authRoutes({ secondFactor: true })`: stores `next` (`null` for
   * none) only if the stored record is still `expected` (`null`: none), in one atomic step,
   * and says whether it did. Every accepted code writes through it, so that a code is
   * accepted once across instances. Not implemented by default, e.g.
   * `UPDATE users SET mfa = $3 WHERE id = $1 AND mfa IS NOT DISTINCT FROM $2` and
   * `return rowCount === 1`.
   */
  replaceSecondFactor?(user: User, expected: string | null, next: string | null): Promise<boolean>;

  /** Whether a login of the user needs a second factor (for `mfa_enabled` in user objects). */
  hasSecondFactor(user: User): boolean {
    return isSecondFactorOn(this.getSecondFactor(user));
  }

  /** Claims of the user's tokens: subject and roles. Override to add claims. */
  tokenData(user: User): TokenData {
    return { sub: this.getUserId(user), roles: [...this.getRoles(user)] };
  }

  /**
   * The user when the username and password match an active user; `null` otherwise, with
   * the same work done whichever the reason. Throttled as `login` is (a failure counts, a
   * success does not): pass the client's address.
   * @throws TooManyAttemptsError when the account, the address or the pair is locked.
   * @throws SecondFactorRequiredError for a user with a second factor: the password is not
   *   enough (its `challenge` goes to `verifySecondFactor` with a code).
   */
  async authenticateUser(
    username: string,
    password: string,
    client: LoginClient = {},
  ): Promise<User | null> {
    return this.workflow().authenticateUser(username, password, client);
  }

  /**
   * Authenticates and issues a token pair, with brute-force throttling per account and per
   * client address.
   * @throws InvalidCredentialsError for an unknown user, a wrong password or an inactive user.
   * @throws TooManyAttemptsError when the account or the address is locked.
   * @throws SecondFactorRequiredError when the user has a second factor: nothing is issued
   *   (`beginLogin` gives the challenge of the second step instead).
   */
  async login(username: string, password: string, client: LoginClient = {}): Promise<TokenPair> {
    return this.workflow().login(username, password, client);
  }

  /**
   * A login's first step: the token pair, or, for a user with a second factor, the challenge
   * (`{ mfa_required: true, challenge }`) that `verifySecondFactor` takes with a code. Tell
   * them apart with `isSecondFactorChallenge`.
   */
  async beginLogin(
    username: string,
    password: string,
    client: LoginClient = {},
  ): Promise<LoginOutcome> {
    return this.workflow().beginLogin(username, password, client);
  }

  /**
   * A login's second step: a TOTP code (or a recovery code) for the challenge of
   * `beginLogin` gives the token pair. The challenge is spent by its accepted code.
   * @throws InvalidAccountTokenError for a challenge used, expired or superseded (a new
   *   password); InvalidCredentialsError for a wrong or spent code; TooManyAttemptsError.
   */
  async verifySecondFactor(
    challenge: string,
    code: string,
    client: LoginClient = {},
  ): Promise<TokenPair> {
    return this.workflow().verifySecondFactor(challenge, code, client);
  }

  /**
   * Spends a refresh token and issues a new pair with the user's current claims: a user that
   * is gone or inactive cannot refresh (`InvalidTokenError`).
   */
  async refresh(refreshToken: string, client: LoginClient = {}): Promise<TokenPair> {
    return this.workflow().refresh(refreshToken, client);
  }

  /**
   * Ends the session of an access token: the token and its refresh family stop working, and
   * so does `refreshToken` when it is a valid refresh token of the same user (anything else
   * there, invalid or someone else's, is ignored).
   */
  async logout(
    access: AccessTokenClaims,
    refreshToken?: unknown,
    client: LoginClient = {},
  ): Promise<void> {
    return this.workflow().logout(access, refreshToken, client);
  }

  /** Every token the user holds stops working. */
  async logoutAll(user: User, client: LoginClient = {}): Promise<void> {
    return this.workflow().logoutAll(user, client);
  }

  /**
   * Changes the password after checking the current one, then revokes every token the user
   * holds: sessions elsewhere end, and the user logs in again with the new password.
   * @throws CurrentPasswordError for a wrong current password; PasswordPolicyError for a
   *   new password the policy refuses; TooManyAttemptsError when the account is locked.
   */
  async changePassword(
    user: User,
    currentPassword: string,
    newPassword: string,
    client: LoginClient = {},
  ): Promise<void> {
    return this.workflow().changePassword(user, currentPassword, newPassword, client);
  }

  /**
   * Registers a user through `createUser`, under the registration throttle.
   * @returns the user, or `undefined` when the name is taken.
   * @throws TooManyAttemptsError past `REGISTER_MAX_PER_ADDRESS`; PasswordPolicyError;
   *   ConfigurationError when `createUser` is not implemented.
   */
  async registerUser(
    username: string,
    password: string,
    client: LoginClient = {},
  ): Promise<User | undefined> {
    return this.workflow().register(username, password, client);
  }

  /**
   * A bcrypt hash of a new password at the configured cost, for registration.
   * @throws PasswordPolicyError for a password the policy refuses.
   */
  async hashPassword(password: string): Promise<string> {
    return this.services.hasher.getPasswordHash(password);
  }

  /**
   * Runs an application's registration under the registration throttle: at most
   * `REGISTER_MAX_PER_ADDRESS` registrations per client address and hour (IPv6 by /64),
   * counted before `register` runs (so before its bcrypt hash); an error thrown by
   * `register` gives the registration back (a 503 counts as nothing), whatever it returns
   * counts (a 409 too: it tells whether an email is registered).
   * @throws TooManyAttemptsError past the limit (429 with `Retry-After`).
   * @example
   * ```ts
   * register(email: string, password: string, client: LoginClient) {
   *   return this.throttleRegistration(client, async () =>
   *     db.users.create(email, await this.hashPassword(password)));
   * }
   * ```
   */
  async throttleRegistration<T>(client: LoginClient, register: () => Promise<T>): Promise<T> {
    return this.services.registrationThrottle.run(client, register);
  }

  /** The configured services, for subclasses that add steps of their own. */
  protected get hasher(): PasswordHasher {
    return this.services.hasher;
  }
  protected get tokens(): TokenService {
    return this.services.tokens;
  }
  protected get revocation(): RevocationService {
    return this.services.revocation;
  }
  protected get rotation(): RefreshRotationService {
    return this.services.rotation;
  }
  protected get throttle(): LoginThrottle {
    return this.services.throttle;
  }
  protected get registrationThrottle(): RegistrationThrottle {
    return this.services.registrationThrottle;
  }
  protected get audit(): AuditTrail {
    return this.services.audit;
  }

  private get services(): LoginWorkflow<User>['services'] {
    return this.workflow().services;
  }

  private workflow(): LoginWorkflow<User> {
    const source = sources.get(this);
    if (source === undefined) {
      throw new ConfigurationError(
        this.constructor.name,
        'is not configured: pass it as userAuthentication to configureSecurity or configureApp before using it',
      );
    }
    return source.loginWorkflow();
  }
}
