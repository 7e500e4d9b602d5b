import type { Context } from 'koa';
import type { AccountLifecycle } from '../account/account-lifecycle';
import type { LoginClient } from '../auth/login-client';
import type { LoginWorkflow } from '../auth/login-workflow';
import type { Principal } from '../auth/principal';
import type { UserAdapter } from '../auth/user-adapter';
import {
  AlreadyRegisteredError,
  AuthenticationRequiredError,
  ConfigurationError,
  InvalidRequestError,
  InvalidTokenError,
  RouteNotServedError,
  SessionNotFoundError,
} from '../errors/security-errors';
import type { ErrorReporter } from '../logging/error-reporter';
import type { SecondFactor, SecondFactorEnrolment } from '../mfa/second-factor';
import { SECOND_FACTOR_NEEDS } from '../mfa/second-factor';
import type { LoginOutcome, SecondFactorChallenge } from '../mfa/second-factor-challenge';
import { isSecondFactorChallenge } from '../mfa/second-factor-challenge';
import type { SessionService, SessionView } from '../sessions/session-service';
import type { TokenPair } from '../tokens/token-pair';
import type { TokenService } from '../tokens/token-service';
import type { CookieSession, CookieSessionAnswer } from '../transport/cookie-session';
import type { CsrfGuard } from '../transport/csrf-guard';
import { CSRF_HEADER } from '../transport/csrf-guard';
import type {
  ForgotPasswordBody,
  LoginBody,
  PasswordChangeBody,
  RefreshBody,
  RegisterBody,
  ResetPasswordBody,
  SecondFactorCodeBody,
  SecondFactorVerifyBody,
  VerifyEmailBody,
} from './auth-bodies';

/** The cookie transport's parts, when the application enabled it. */
export interface CookieTransportParts {
  session: CookieSession;
  csrf: CsrfGuard;
}

/**
 * What the auth routes do, over the login workflow: the controllers made by `authRoutes`
 * only bind HTTP to these. Built by the composition root from the complete configuration.
 */
export class AuthEndpoints {
  constructor(
    private readonly workflow: LoginWorkflow<unknown>,
    private readonly account: AccountLifecycle<unknown>,
    private readonly users: UserAdapter<unknown>,
    private readonly tokens: TokenService,
    /** `null` when the cookie transport is off. */
    private readonly cookies: CookieTransportParts | null,
    private readonly reportError: ErrorReporter,
    private readonly sessions: SessionService,
    private readonly secondFactor: SecondFactor<unknown>,
  ) {}

  /** What the second factor lacks (the adapter's `replaceSecondFactor`, the key), or null. */
  get secondFactorMissing(): 'replaceSecondFactor' | 'TOTP_ENCRYPTION_KEY' | null {
    return this.secondFactor.missing;
  }

  /** A new TOTP secret (as an `otpauth://` URI) and recovery codes, shown once. */
  enrollSecondFactor(principal: Principal, ctx: Context): Promise<SecondFactorEnrolment> {
    this.requireSecondFactor();
    return this.secondFactor.enroll(principal.user, clientOf(ctx));
  }

  /**
   * Turns the second factor on; every other session of the user ends (one opened by whoever
   * the user is locking out now).
   */
  async confirmSecondFactor(principal: Principal, body: SecondFactorCodeBody, ctx: Context) {
    this.requireSecondFactor();
    // Ended once the code matched, before the factor is on: a 503 there changes nothing.
    await this.secondFactor.confirm(principal.user, body.code, clientOf(ctx), () =>
      this.sessions.endOthers(principal),
    );
  }

  disableSecondFactor(principal: Principal, body: SecondFactorCodeBody, ctx: Context) {
    this.requireSecondFactor();
    return this.secondFactor.disable(principal.user, body.code, clientOf(ctx));
  }

  /** The second step of a login: the token pair. */
  verifySecondFactor(body: SecondFactorVerifyBody, ctx: Context): Promise<TokenPair> {
    this.requireSecondFactor();
    return this.workflow.verifySecondFactor(body.challenge, body.code, clientOf(ctx));
  }

  /** The second step of a cookie login: its cookies (from an allowed origin only). */
  async cookieVerifySecondFactor(
    body: SecondFactorVerifyBody,
    ctx: Context,
    refreshPath: string,
  ): Promise<CookieSessionAnswer> {
    this.requireSecondFactor();
    const { csrf, session } = this.requireCookies();
    csrf.checkOrigin(ctx);
    const pair = await this.workflow.verifySecondFactor(body.challenge, body.code, clientOf(ctx));
    return session.start(ctx, pair, refreshPath);
  }

  /** Reported once per route and configuration, however many requests find it. */
  private readonly reportedUnserved = new Set<string>();

  /** Whether the user adapter implements `createUser`. */
  get canRegister(): boolean {
    return this.workflow.canRegister;
  }

  /** Whether the user adapter can verify emails (`markEmailVerified`, `deliverAccountMail`). */
  get canVerifyEmail(): boolean {
    return this.account.canVerifyEmail;
  }

  /** Whether the user adapter can mail reset links (`deliverAccountMail`). */
  get canResetPassword(): boolean {
    return this.account.canResetPassword;
  }

  /** Mails the caller a verification link (nothing when the email is verified already). */
  requestEmailVerification(principal: Principal, ctx: Context): Promise<void> {
    this.requireEmailVerification();
    return this.account.requestEmailVerification(principal.user, clientOf(ctx));
  }

  /** @throws InvalidAccountTokenError (400) for a token that verifies nothing. */
  verifyEmail(body: VerifyEmailBody, ctx: Context): Promise<void> {
    this.requireEmailVerification();
    return this.account.verifyEmail(body.token, clientOf(ctx));
  }

  /** The same answer for every email: the lookup and the mail come after it. */
  forgotPassword(body: ForgotPasswordBody, ctx: Context): Promise<void> {
    this.requirePasswordReset();
    return this.account.forgotPassword(body.email, clientOf(ctx));
  }

  /** @throws InvalidAccountTokenError (400) for a token that resets nothing. */
  resetPassword(body: ResetPasswordBody, ctx: Context): Promise<void> {
    this.requirePasswordReset();
    return this.account.resetPassword(body.token, body.new_password, clientOf(ctx));
  }

  /** Whether the cookie transport is on. */
  get hasCookies(): boolean {
    return this.cookies !== null;
  }

  /** The token pair, or the second step's challenge for a user with a second factor. */
  login(body: LoginBody, ctx: Context): Promise<LoginOutcome> {
    return this.workflow.beginLogin(body.username, body.password, clientOf(ctx));
  }

  refresh(body: RefreshBody, ctx: Context): Promise<TokenPair> {
    return this.workflow.refresh(body.refresh_token, clientOf(ctx));
  }

  /** @throws AlreadyRegisteredError (409) when the name is taken. */
  async register(body: RegisterBody, ctx: Context): Promise<object> {
    if (!this.canRegister) {
      this.notServed(
        'createUser',
        'is not implemented by the user authentication: POST register is not served',
      );
    }
    const user = await this.workflow.register(body.email, body.password, clientOf(ctx));
    if (user === undefined) throw new AlreadyRegisteredError();
    return this.users.publicUser(user);
  }

  /** Ends the session; a refresh token in the body of the same user ends with it. */
  async logout(
    principal: Principal,
    refreshToken: unknown,
    ctx: Context,
    refreshPath: string,
  ): Promise<void> {
    await this.workflow.logout(principal.claims, refreshToken, clientOf(ctx));
    this.clearCookiesOf(principal, ctx, refreshPath);
  }

  async logoutAll(principal: Principal, ctx: Context, refreshPath: string): Promise<void> {
    await this.workflow.logoutAll(principal.user, clientOf(ctx));
    this.clearCookiesOf(principal, ctx, refreshPath);
  }

  /** Every session of the user ends, this one too: a cookie session's cookies are cleared. */
  async changePassword(
    principal: Principal,
    body: PasswordChangeBody,
    ctx: Context,
    refreshPath: string,
  ): Promise<void> {
    await this.workflow.changePassword(
      principal.user,
      body.current_password,
      body.new_password,
      clientOf(ctx),
    );
    this.clearCookiesOf(principal, ctx, refreshPath);
  }

  /** The caller's sessions, newest first, the current one marked; never a token. */
  listSessions(principal: Principal): Promise<SessionView[]> {
    return this.sessions.list(principal);
  }

  /**
   * Ends one of the caller's sessions; another user's id is 404, as an unknown one. Ending
   * the current one is a logout: a cookie session's cookies are cleared.
   */
  async endSession(
    principal: Principal,
    id: string,
    ctx: Context,
    refreshPath: string,
  ): Promise<void> {
    await this.sessions.end(principal, id);
    if (id === principal.claims.fam) this.clearCookiesOf(principal, ctx, refreshPath);
  }

  /**
   * Ends every session of the caller but the current one. Not at `/sessions/` (a trailing
   * slash: an id left empty by a client's bug), which is 404 as an unknown id.
   */
  endOtherSessions(principal: Principal, ctx: Context): Promise<void> {
    if (ctx.path.endsWith('/')) return Promise.reject(new SessionNotFoundError());
    return this.sessions.endOthers(principal);
  }

  /**
   * A login whose tokens go into cookies. Login CSRF: only a page of an allowed origin may
   * log a browser in (else an attacker's page logs the victim into the attacker's account).
   */
  async cookieLogin(
    body: LoginBody,
    ctx: Context,
    refreshPath: string,
  ): Promise<CookieSessionAnswer | SecondFactorChallenge> {
    const { csrf, session } = this.requireCookies();
    csrf.checkOrigin(ctx);
    const outcome = await this.workflow.beginLogin(body.username, body.password, clientOf(ctx));
    // No cookie yet: the second step (`cookie/2fa/verify`) sets them.
    if (isSecondFactorChallenge(outcome)) return outcome;
    return session.start(ctx, outcome, refreshPath);
  }

  /**
   * Rotates the cookies' pair. The refresh cookie alone does not do it: the request must come
   * from an allowed origin and carry the session's CSRF token (checked against the refresh
   * token's session before anything is spent).
   */
  async cookieRefresh(ctx: Context, refreshPath: string): Promise<CookieSessionAnswer> {
    const { csrf, session } = this.requireCookies();
    const tokens = session.refreshTokens(ctx);
    if (tokens.length === 0) throw new AuthenticationRequiredError();
    csrf.checkOrigin(ctx);
    const token = tokens.length === 1 ? tokens[0] : this.ownRefreshToken(tokens, ctx);
    try {
      csrf.checkToken(ctx, this.tokens.verifyRefreshToken(token));
      const pair = await this.workflow.refresh(token, clientOf(ctx));
      return session.start(ctx, pair, refreshPath);
    } catch (error) {
      // The session is over (expired, revoked, reused, its user gone): its cookies are dead,
      // and the 401 clears them. Not on a CSRF failure (another page must not clear them),
      // nor on a 503 (nothing changed).
      if (error instanceof InvalidTokenError) session.clear(ctx, refreshPath, true);
      throw error;
    }
  }

  /** Ends the session and clears the cookies (the CSRF checks ran with the authentication). */
  async cookieLogout(principal: Principal, ctx: Context, refreshPath: string): Promise<void> {
    const { session } = this.requireCookies();
    await this.workflow.logout(principal.claims, undefined, clientOf(ctx));
    session.clear(ctx, refreshPath);
  }

  /**
   * Of several refresh cookies (one planted beside ours by a sibling subdomain), the one whose
   * session the request's `X-CSRF-Token` names: a planted cookie cannot lock a user out.
   * @throws InvalidRequestError unless exactly one does.
   */
  private ownRefreshToken(tokens: readonly string[], ctx: Context): string {
    const header = ctx.get(CSRF_HEADER);
    const own = tokens.filter((token) => {
      try {
        return header !== '' && this.tokens.verifyRefreshToken(token).fam_csrf === header;
      } catch {
        return false;
      }
    });
    if (own.length !== 1) throw new InvalidRequestError('duplicate_cookie');
    return own[0];
  }

  private clearCookiesOf(principal: Principal, ctx: Context, refreshPath: string): void {
    if (principal.transport === 'cookie') this.cookies?.session.clear(ctx, refreshPath);
  }

  private requireEmailVerification(): void {
    if (!this.canVerifyEmail) {
      this.notServed(
        'markEmailVerified',
        'and deliverAccountMail are not both implemented by the user authentication: the email verification routes are not served',
      );
    }
  }

  private requirePasswordReset(): void {
    if (!this.canResetPassword) {
      this.notServed(
        'deliverAccountMail',
        'is not implemented by the user authentication: the password reset routes are not served',
      );
    }
  }

  private requireSecondFactor(): void {
    const missing = this.secondFactorMissing;
    if (missing !== null) {
      this.notServed(
        missing,
        `${SECOND_FACTOR_NEEDS[missing]}: the second factor routes are not served`,
      );
    }
  }

  private requireCookies(): CookieTransportParts {
    if (this.cookies === null) {
      this.notServed('transports', "does not include 'cookie': the cookie routes are not served");
    }
    return this.cookies;
  }

  /** A route mounted without what it needs: 404, and reported (once) as the defect it is. */
  private notServed(variable: string, rule: string): never {
    if (!this.reportedUnserved.has(variable)) {
      this.reportedUnserved.add(variable);
      this.reportError('auth_route_not_served', new ConfigurationError(variable, rule));
    }
    throw new RouteNotServedError();
  }
}

function clientOf(ctx: Context): LoginClient {
  const userAgent = ctx.get('User-Agent');
  return userAgent === '' ? { address: ctx.ip } : { address: ctx.ip, userAgent };
}
