import type { AuditTrail } from '../audit/audit-trail';
import type { PurposeTokens } from '../account/purpose-tokens';
import {
  ConfigurationError,
  CurrentPasswordError,
  InvalidAccountTokenError,
  InvalidCredentialsError,
  InvalidTokenError,
  PasswordPolicyError,
  SecondFactorRequiredError,
} from '../errors/security-errors';
import type { SecondFactor } from '../mfa/second-factor';
import type { LoginOutcome, SecondFactorChallenge } from '../mfa/second-factor-challenge';
import { isSecondFactorChallenge } from '../mfa/second-factor-challenge';
import type { ErrorReporter } from '../logging/error-reporter';
import type { PasswordHasher } from '../password/password-hasher';
import type { RefreshRotationService } from '../revocation/refresh-rotation-service';
import type { RevocationService } from '../revocation/revocation-service';
import type { CountedAttempt, LoginThrottle } from '../throttling/login-throttle';
import type { SessionService } from '../sessions/session-service';
import type { RegistrationThrottle } from '../throttling/registration-throttle';
import type { AccessTokenClaims, TokenClaims } from '../tokens/token-claims';
import type { RefreshFamily, TokenPair } from '../tokens/token-pair';
import type { TokenService } from '../tokens/token-service';
import type { LoginClient } from './login-client';
import type { PasswordReplacement } from './password-replacement';
import type { UserAdapter } from './user-adapter';

/** The services the login workflow works with, all built from one configuration. */
export interface LoginWorkflowServices {
  hasher: PasswordHasher;
  tokens: TokenService;
  revocation: RevocationService;
  rotation: RefreshRotationService;
  throttle: LoginThrottle;
  registrationThrottle: RegistrationThrottle;
  audit: AuditTrail;
  reportError: ErrorReporter;
  sessions: SessionService;
  passwords: PasswordReplacement<unknown>;
  secondFactor: SecondFactor<unknown>;
  /** Where the challenges of a login's second step come from (`mfa_challenge`). */
  purposeTokens: PurposeTokens;
}

/** What a challenge is bound to: the password hash and the second-factor record. */
const challengeState = (hash: string, record: string): string => `${hash}\0${record}`;

/** The outcome of a credential check, with the reason of a failure for the audit trail. */
type CredentialCheck<User> =
  | { ok: true; user: User }
  | {
      ok: false;
      failure: { reason: 'unknown_user' | 'wrong_password' | 'inactive_user'; userId?: string };
    };

/**
 * Login, refresh, logout and password change around the application's user lookup. Made by
 * the composition root (`configureSecurity`/`configureApp`) from the complete configuration;
 * applications reach it through their `BaseUserAuthentication` subclass.
 */
export class LoginWorkflow<User> {
  constructor(
    private readonly users: UserAdapter<User>,
    readonly services: LoginWorkflowServices,
  ) {}

  private get passwords(): PasswordReplacement<User> {
    return this.services.passwords as PasswordReplacement<User>;
  }

  /**
   * The credential check of `login`, throttled the same way, without issuing tokens.
   * @throws SecondFactorRequiredError for a user with a second factor: the password alone
   *   proves nothing then (and ends no failure count).
   */
  async authenticateUser(
    username: string,
    password: string,
    client: LoginClient = {},
  ): Promise<User | null> {
    const attempt = await this.beginAttempt(username, client);
    const checked = await this.withVerdict(attempt, () =>
      this.checkCredentials(username, password),
    );
    if (!checked.ok) {
      await attempt.failed();
      this.services.audit.record({
        type: 'login_failed',
        ...checked.failure,
        address: client.address,
      });
      return null;
    }
    if (this.services.secondFactor.isOn(checked.user)) {
      await attempt.abandoned();
      throw new SecondFactorRequiredError((await this.challenge(checked.user, client)).challenge);
    }
    await attempt.succeeded();
    return checked.user;
  }

  /**
   * `beginLogin` for callers that want tokens only.
   * @throws SecondFactorRequiredError when the user has a second factor (nothing is issued).
   */
  async login(username: string, password: string, client: LoginClient = {}): Promise<TokenPair> {
    const outcome = await this.beginLogin(username, password, client);
    if (isSecondFactorChallenge(outcome)) throw new SecondFactorRequiredError(outcome.challenge);
    return outcome;
  }

  /**
   * The password step of a login: a token pair, or, for a user with a second factor, the
   * challenge of the second step (`verifySecondFactor`) and no token. A right password then
   * ends no failure count of the throttle: only the code does.
   */
  async beginLogin(
    username: string,
    password: string,
    client: LoginClient = {},
  ): Promise<LoginOutcome> {
    const { audit } = this.services;
    // The session starts before the password is checked: a password change that commits
    // while this login checks the old password ends this session as well.
    const family = await this.services.revocation.startSession();
    const attempt = await this.beginAttempt(username, client);
    const checked = await this.withVerdict(attempt, () =>
      this.checkCredentials(username, password),
    );
    if (!checked.ok) {
      await attempt.failed();
      audit.record({ type: 'login_failed', ...checked.failure, address: client.address });
      throw new InvalidCredentialsError();
    }
    const user = checked.user;
    const { secondFactor, sessions } = this.services;
    if (secondFactor.isOn(user)) {
      // Not a success yet: the guesses of the code count on the same counters.
      await attempt.abandoned();
      return this.challenge(user, client);
    }
    await attempt.succeeded();
    const userId = String(this.users.getUserId(user));
    // Registered before any token exists: a registry down is a 503 that issued nothing.
    await sessions.started(userId, family, client);
    if (secondFactor.canServe) {
      // Turned on while this password was checked: the confirmation ended the sessions
      // registered before this one, so this one asks for the code too.
      const current = await this.users.getUserById(userId);
      if (current !== null && current !== undefined && secondFactor.isOn(current)) {
        await sessions.withdrawn(userId, family.id);
        return this.challenge(current, client);
      }
    }
    return this.pairOf(user, family, client);
  }

  /**
   * The second step of a login: the challenge of `beginLogin` and a code from the user's
   * authenticator (or a recovery code) give the token pair. The challenge is spent by the
   * code it was answered with (the accepted code changes the record it is bound to), and dies
   * with a new password or second factor.
   * @throws InvalidAccountTokenError (400) for a challenge that is no longer good;
   *   InvalidCredentialsError (401) for a wrong or spent code; TooManyAttemptsError.
   */
  async verifySecondFactor(
    challenge: unknown,
    code: unknown,
    client: LoginClient = {},
  ): Promise<TokenPair> {
    const { secondFactor, purposeTokens } = this.services;
    const claims = purposeTokens.verify(challenge, 'mfa_challenge');
    // Started before the code is checked, as a login's: a password change meanwhile ends it.
    const family = await this.services.revocation.startSession();
    const user = await this.users.getActiveUserById(claims.sub);
    const hash = user === null ? undefined : this.users.getHashedPassword(user);
    if (
      user === null ||
      typeof hash !== 'string' ||
      !secondFactor.isOn(user) ||
      !purposeTokens.isBoundTo(claims, challengeState(hash, secondFactor.stateOf(user)))
    ) {
      throw new InvalidAccountTokenError('superseded');
    }
    await secondFactor.verify(user, code, client);
    // Registered before any token exists: a registry down is a 503 that issued nothing.
    await this.services.sessions.started(String(this.users.getUserId(user)), family, client);
    return this.pairOf(user, family, client);
  }

  /**
   * The challenge of a login's second step, bound to the user as stored now: the login may
   * have just upgraded the password's hash.
   */
  private async challenge(found: User, client: LoginClient): Promise<SecondFactorChallenge> {
    const userId = String(this.users.getUserId(found));
    const user = (await this.users.getUserById(userId)) ?? found;
    const hash = this.users.getHashedPassword(user) ?? '';
    const state = challengeState(hash, this.services.secondFactor.stateOf(user));
    const { token } = this.services.purposeTokens.issue('mfa_challenge', userId, state);
    this.services.audit.record({ type: 'mfa_challenge_issued', userId, address: client.address });
    return { mfa_required: true, challenge: token };
  }

  /** The token pair of a new session, once it is registered. */
  private pairOf(user: User, family: RefreshFamily, client: LoginClient): TokenPair {
    const data = this.users.tokenData(user);
    const userId = String(data.sub);
    this.services.audit.record({
      type: 'login_succeeded',
      userId,
      familyId: family.id,
      address: client.address,
    });
    return this.services.tokens.createTokenPair(data, { family });
  }

  /**
   * Rotates a refresh token of a registered session: one that was ended (by its owner, past
   * `MAX_SESSIONS_PER_USER`, or expired) refreshes no more.
   */
  refresh(refreshToken: string, client: LoginClient = {}): Promise<TokenPair> {
    return this.services.rotation.refreshAccessToken(refreshToken, {
      client,
      claims: async (claims) => {
        const user = await this.users.getActiveUserById(claims.sub);
        return user === null ? null : this.users.tokenData(user);
      },
    });
  }

  async logout(
    access: AccessTokenClaims,
    refreshToken?: unknown,
    client: LoginClient = {},
  ): Promise<void> {
    const { revocation, tokens, audit } = this.services;
    await revocation.revokeClaims(access);
    if (access.fam !== undefined) await this.services.sessions.forget(access.sub, access.fam);
    audit.record({
      type: 'logout',
      userId: access.sub,
      jti: access.jti,
      familyId: access.fam,
      address: client.address,
    });
    if (typeof refreshToken !== 'string') return;
    let refresh: TokenClaims;
    try {
      refresh = tokens.verify(refreshToken, 'refresh', true);
    } catch (error) {
      if (error instanceof InvalidTokenError) return;
      throw error;
    }
    if (refresh.sub === access.sub) await revocation.revokeClaims(refresh);
  }

  /**
   * Registration through the adapter's `createUser`: counted by the registration throttle
   * before the password is hashed; an error of `createUser` (a store down) gives the count back.
   */
  async register(
    username: string,
    password: string,
    client: LoginClient = {},
  ): Promise<User | undefined> {
    const createUser = this.users.createUser?.bind(this.users);
    if (createUser === undefined) {
      throw new ConfigurationError(
        'createUser',
        'is not implemented by the user authentication: registration needs it',
      );
    }
    return this.services.registrationThrottle.run(client, async () =>
      createUser(username, await this.services.hasher.getPasswordHash(password)),
    );
  }

  /** Whether the adapter can create users (registration). */
  get canRegister(): boolean {
    return typeof this.users.createUser === 'function';
  }

  async logoutAll(user: User, client: LoginClient = {}): Promise<void> {
    const userId = this.users.getUserId(user);
    await this.services.revocation.revokeAllUserTokens(userId);
    await this.services.sessions.forget(String(userId));
    this.services.audit.record({
      type: 'logout_all',
      userId: String(userId),
      address: client.address,
    });
  }

  /**
   * Changes the password and ends every session of the user started before the change. Of
   * concurrent changes of one user, exactly one succeeds; the others are refused as a wrong
   * current password (`CurrentPasswordError`), since the password they were given is no
   * longer the current one. Within one process the changes of a user run one at a time;
   * across instances the adapter's `replacePasswordHash` (a compare-and-set) decides.
   */
  async changePassword(
    user: User,
    currentPassword: string,
    newPassword: string,
    client: LoginClient = {},
  ): Promise<void> {
    const userId = String(this.users.getUserId(user));
    // The hash as the request found it, before waiting for another change of this user.
    const hashAtStart = this.users.getHashedPassword(user);
    return this.passwords.inTurnOf(userId, () =>
      this.changePasswordNow(user, userId, hashAtStart, currentPassword, newPassword, client),
    );
  }

  private async changePasswordNow(
    user: User,
    userId: string,
    hashAtStart: string | null | undefined,
    currentPassword: string,
    newPassword: string,
    client: LoginClient,
  ): Promise<void> {
    const { hasher, audit } = this.services;
    // A wrong current password counts as a failed login: it is a password guess too.
    const attempt = await this.beginAttempt(this.users.getUsername(user), client);
    const checked = await this.withVerdict(attempt, async () => {
      // The hash as stored now, not as it was when the request began.
      const stored = (await this.users.getUserById(userId)) ?? user;
      const hash = this.users.getHashedPassword(stored);
      const matches = await hasher.verifyPassword(currentPassword, hash);
      // Right when the request began, wrong now: another change came first.
      const lostRace =
        !matches &&
        hashAtStart !== hash &&
        (await hasher.verifyPassword(currentPassword, hashAtStart));
      return { stored, hash, matches, lostRace };
    });
    if (checked.lostRace) {
      await attempt.abandoned();
      throw new CurrentPasswordError();
    }
    if (!checked.matches || typeof checked.hash !== 'string') {
      await attempt.failed();
      audit.record({
        type: 'login_failed',
        reason: 'wrong_current_password',
        userId,
        address: client.address,
      });
      throw new CurrentPasswordError();
    }
    const { stored, hash } = checked;
    const replaced = await this.withVerdict(attempt, () =>
      this.passwords.replace(stored, userId, hash, newPassword),
    );
    if (!replaced) {
      // Another change came first: a race lost, not a guess.
      await attempt.abandoned();
      throw new CurrentPasswordError();
    }
    await attempt.succeeded();
    audit.record({ type: 'password_changed', userId, address: client.address });
    await this.passwords.endSessionsStartedMeanwhile(userId);
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
    const { users } = this;
    const user = typeof username === 'string' ? await users.getUserByUsername(username) : undefined;
    const hash = user ? users.getHashedPassword(user) : undefined;
    const matches = await this.services.hasher.verifyPassword(password, hash);
    if (!user) return { ok: false, failure: { reason: 'unknown_user' } };
    const userId = String(users.getUserId(user));
    if (!matches) return { ok: false, failure: { reason: 'wrong_password', userId } };
    if (!users.isActive(user)) return { ok: false, failure: { reason: 'inactive_user', userId } };
    if (hash && this.services.hasher.needsRehash(hash)) {
      await this.upgradeHash(user, userId, hash, password);
    }
    return { ok: true, user };
  }

  /**
   * Runs the credential check of a counted attempt: when it throws (the user store is down,
   * bcrypt is busy, anything), the attempt had no verdict and counts as nothing.
   */
  private async withVerdict<T>(attempt: CountedAttempt, check: () => Promise<T>): Promise<T> {
    let decided = false;
    try {
      const result = await check();
      decided = true;
      return result;
    } finally {
      if (!decided) await attempt.abandoned();
    }
  }

  private beginAttempt(username: unknown, client: LoginClient): Promise<CountedAttempt> {
    return this.services.throttle.begin({
      // Folded as the lookup folds it: every spelling that finds one account is one counter.
      username: typeof username === 'string' ? this.users.loginNameKey(username) : '',
      address: client.address,
    });
  }

  /**
   * Replaces the verified hash, only if it is still the stored one: a password change that
   * committed meanwhile wins (the upgrade would put the old password back), and the upgrade
   * is dropped. It runs in turn with the user's password changes.
   */
  private async upgradeHash(
    user: User,
    userId: string,
    verifiedHash: string,
    password: string,
  ): Promise<void> {
    try {
      const upgraded = await this.services.hasher.getPasswordHash(password);
      await this.passwords.inTurnOf(userId, () =>
        this.users.replacePasswordHash(user, verifiedHash, upgraded),
      );
    } catch (error) {
      // A legacy password below today's policy keeps its old hash, as designed.
      if (!(error instanceof PasswordPolicyError)) {
        this.services.reportError('password_rehash_failed', error);
      }
    }
  }
}
