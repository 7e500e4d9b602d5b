import { Container } from 'typedi';
import type { ContainerInstance } from 'typedi';
import { AuditTrail } from '../audit/audit-trail';
import { withSecurityDefaults } from '../container/security-container';
import {
  CurrentPasswordError,
  InvalidCredentialsError,
  InvalidTokenError,
  PasswordPolicyError,
} from '../errors/security-errors';
import { PasswordHasher } from '../password/password-hasher';
import { RefreshRotationService } from '../revocation/refresh-rotation-service';
import { RevocationService } from '../revocation/revocation-service';
import type { AccessTokenClaims, TokenClaims } from '../tokens/token-claims';
import type { TokenData } from '../tokens/token-data';
import type { TokenPair } from '../tokens/token-pair';
import { TokenService } from '../tokens/token-service';
import type { CountedAttempt } from '../throttling/login-throttle';
import { LoginThrottle } from '../throttling/login-throttle';

/** The outcome of a credential check, with the reason of a failure for the audit trail. */
type CredentialCheck<User> =
  | { ok: true; user: User }
  | {
      ok: false;
      failure: { reason: 'unknown_user' | 'wrong_password' | 'inactive_user'; userId?: string };
    };

/** Where a login comes from, for throttling per client address. */
export interface LoginClient {
  /** Koa's `ctx.ip`: the socket's address unless `app.proxy` trusts `X-Forwarded-For`. */
  address?: string | undefined;
}

/**
 * The login workflow. The application says how to find and read its users; this class
 * does the rest: verify the password in constant work (an unknown user or a user without
 * a usable hash still costs one bcrypt compare at the configured cost), refuse inactive
 * users with the same answer as a wrong password, upgrade cheap hashes, issue tokens.
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
 *   isActive(user: User) { return user.is_active; }
 *   updatePasswordHash(user: User, hash: string) { return db.users.setHash(user.id, hash); }
 * }
 * const pair = await new DatabaseUserAuthentication().login(username, password);
 * ```
 */
export abstract class BaseUserAuthentication<User> {
  protected readonly hasher: PasswordHasher;
  protected readonly tokens: TokenService;
  protected readonly revocation: RevocationService;
  protected readonly rotation: RefreshRotationService;
  protected readonly throttle: LoginThrottle;
  protected readonly audit: AuditTrail;

  constructor(container: ContainerInstance = Container.of()) {
    const services = withSecurityDefaults(container);
    this.hasher = services.get(PasswordHasher);
    this.tokens = services.get(TokenService);
    this.revocation = services.get(RevocationService);
    this.rotation = services.get(RefreshRotationService);
    this.throttle = services.get(LoginThrottle);
    this.audit = services.get(AuditTrail);
  }

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
   * cheaper hash than configured (then a failure here does not fail the login). Default:
   * does nothing, so password change needs it overridden.
   */
  updatePasswordHash(user: User, hash: string): Promise<void> {
    void user;
    void hash;
    return Promise.resolve();
  }

  /**
   * The user a token names, when it still exists and is active; `null` otherwise. The one
   * rule behind every request's user (`RequestAuthentication`) and every refresh.
   */
  async getActiveUserById(id: string): Promise<User | null> {
    const user = await this.getUserById(id);
    return user !== null && user !== undefined && this.isActive(user) ? user : null;
  }

  /** Claims of the user's tokens: subject and roles. Override to add claims. */
  tokenData(user: User): TokenData {
    return { sub: this.getUserId(user), roles: [...this.getRoles(user)] };
  }

  /**
   * The user when the username and password match an active user; `null` otherwise, with
   * the same work done whichever the reason.
   */
  async authenticateUser(username: string, password: string): Promise<User | null> {
    const checked = await this.checkCredentials(username, password);
    return checked.ok ? checked.user : null;
  }

  /**
   * Authenticates and issues a token pair, with brute-force throttling per account and per
   * client address.
   * @throws InvalidCredentialsError for an unknown user, a wrong password or an inactive user.
   * @throws TooManyAttemptsError when the account or the address is locked.
   */
  async login(username: string, password: string, client: LoginClient = {}): Promise<TokenPair> {
    const attempt = await this.beginAttempt(username, client);
    const checked = await this.checkCredentials(username, password);
    if (!checked.ok) {
      this.audit.record({ type: 'login_failed', ...checked.failure, address: client.address });
      throw new InvalidCredentialsError();
    }
    const user = checked.user;
    await attempt.succeeded();
    const family = this.tokens.startFamily();
    const userId = String(this.getUserId(user));
    this.audit.record({
      type: 'login_succeeded',
      userId,
      familyId: family.id,
      address: client.address,
    });
    return this.tokens.createTokenPair(this.tokenData(user), { family });
  }

  /**
   * Spends a refresh token and issues a new pair with the user's current claims: a user that
   * is gone or inactive cannot refresh (`InvalidTokenError`).
   */
  async refresh(refreshToken: string, client: LoginClient = {}): Promise<TokenPair> {
    return this.rotation.refreshAccessToken(refreshToken, {
      client,
      claims: async (claims) => {
        const user = await this.getActiveUserById(claims.sub);
        return user === null ? null : this.tokenData(user);
      },
    });
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
    await this.revocation.revokeClaims(access);
    this.audit.record({
      type: 'logout',
      userId: access.sub,
      jti: access.jti,
      familyId: access.fam,
      address: client.address,
    });
    if (typeof refreshToken !== 'string') return;
    let refresh: TokenClaims;
    try {
      refresh = this.tokens.verify(refreshToken, 'refresh', true);
    } catch (error) {
      if (error instanceof InvalidTokenError) return;
      throw error;
    }
    if (refresh.sub === access.sub) await this.revocation.revokeClaims(refresh);
  }

  /** Every token the user holds stops working. */
  async logoutAll(user: User, client: LoginClient = {}): Promise<void> {
    await this.revocation.revokeAllUserTokens(this.getUserId(user));
    this.audit.record({
      type: 'logout_all',
      userId: String(this.getUserId(user)),
      address: client.address,
    });
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
    // A wrong current password counts as a failed login: it is a password guess too.
    const attempt = await this.beginAttempt(this.getUsername(user), client);
    const userId = String(this.getUserId(user));
    if (!(await this.hasher.verifyPassword(currentPassword, this.getHashedPassword(user)))) {
      this.audit.record({
        type: 'login_failed',
        reason: 'wrong_current_password',
        userId,
        address: client.address,
      });
      throw new CurrentPasswordError();
    }
    await attempt.succeeded();
    await this.updatePasswordHash(user, await this.hasher.getPasswordHash(newPassword));
    await this.revocation.revokeAllUserTokens(userId);
    this.audit.record({ type: 'password_changed', userId, address: client.address });
  }

  /**
   * The one credential check behind `authenticateUser` and `login`: the same work whatever
   * the outcome, and the reason of a failure (for the audit trail only: clients all get the
   * same answer).
   */
  private async checkCredentials(
    username: string,
    password: string,
  ): Promise<CredentialCheck<User>> {
    const user = typeof username === 'string' ? await this.getUserByUsername(username) : undefined;
    const hash = user ? this.getHashedPassword(user) : undefined;
    const matches = await this.hasher.verifyPassword(password, hash);
    if (!user) return { ok: false, failure: { reason: 'unknown_user' } };
    const userId = String(this.getUserId(user));
    if (!matches) return { ok: false, failure: { reason: 'wrong_password', userId } };
    if (!this.isActive(user)) return { ok: false, failure: { reason: 'inactive_user', userId } };
    if (hash && this.hasher.needsRehash(hash)) await this.upgradeHash(user, password);
    return { ok: true, user };
  }

  private beginAttempt(username: unknown, client: LoginClient): Promise<CountedAttempt> {
    return this.throttle.begin({
      username: typeof username === 'string' ? username : '',
      address: client.address,
    });
  }

  private async upgradeHash(user: User, password: string): Promise<void> {
    try {
      await this.updatePasswordHash(user, await this.hasher.getPasswordHash(password));
    } catch (error) {
      // A legacy password below today's policy keeps its old hash; the login still works.
      if (!(error instanceof PasswordPolicyError)) throw error;
    }
  }
}
