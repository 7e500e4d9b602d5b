import type { Context } from 'koa';
import {
  Authorized,
  Body,
  Ctx,
  Delete,
  Get,
  Header,
  HttpCode,
  JsonController,
  OnUndefined,
  Param,
  Post,
  Put,
} from 'routing-controllers';
import { Inject, Service } from 'typedi';
import type { Principal } from '../auth/principal';
import type { TokenPair } from '../tokens/token-pair';
import type { SessionView } from '../sessions/session-service';
import type { CookieSessionAnswer } from '../transport/cookie-session';
import { AUTH_ENDPOINTS } from '../container/injection-tokens';
import { ConfigurationError } from '../errors/security-errors';
import { CurrentPrincipal } from '../koa/current-principal';
import {
  ForgotPasswordBody,
  LoginBody,
  LogoutBody,
  PasswordChangeBody,
  RefreshBody,
  RegisterBody,
  ResetPasswordBody,
  SecondFactorCodeBody,
  SecondFactorVerifyBody,
  VerifyEmailBody,
} from './auth-bodies';
import type { SecondFactorEnrolment } from '../mfa/second-factor';
import type { LoginOutcome, SecondFactorChallenge } from '../mfa/second-factor-challenge';
import type { AuthEndpoints } from './auth-endpoints';
import type { AuthRoutesRequirements } from './auth-routes-requirements';
import { AUTH_ROUTES_REQUIREMENTS } from './auth-routes-requirements';

/** Options of `authRoutes`. */
export interface AuthRoutesOptions {
  /** Where the token routes live. Default `/auth`. */
  basePath?: string;
  /** The password change (`PUT`). Default `/users/me/password`. */
  passwordChangePath?: string;
  /**
   * The cookie transport's routes `<basePath>/cookie/login|refresh|logout`, for browser
   * front ends; needs `transports: ['bearer', 'cookie']` (or `['cookie']`). Default false.
   */
  cookies?: boolean;
  /**
   * `GET <basePath>/sessions` (the caller's sessions), `DELETE <basePath>/sessions/{id}` (end
   * one), `DELETE <basePath>/sessions` (end all but the current one). Default true.
   */
  sessions?: boolean;
  /** `POST <basePath>/register`; needs the user authentication's `createUser`. Default false. */
  registration?: boolean;
  /**
   * `POST <basePath>/verify-email/request` (mails the caller a link) and
   * `POST <basePath>/verify-email` (`{"token"}` from the link); needs the user
   * authentication's `markEmailVerified` and `deliverAccountMail`. Default false.
   */
  emailVerification?: boolean;
  /**
   * `POST <basePath>/forgot-password` (`{"email"}`: 202 whatever the email) and
   * `POST <basePath>/reset-password` (`{"token","new_password"}`); needs the user
   * authentication's `deliverAccountMail`. Default false.
   */
  passwordReset?: boolean;
  /**
   * The TOTP second factor: `POST <basePath>/2fa/enroll` (an `otpauth://` URI and recovery
   * codes, shown once), `/2fa/confirm` (`{"code"}`: on from the next login), `/2fa/disable`
   * (`{"code"}`), and the login's second step `/2fa/verify` (`{"challenge","code"}`: the
   * token pair); with `cookies`, also `<basePath>/cookie/2fa/verify` (the cookies). Needs the
   * user authentication's `replaceSecondFactor` and `getSecondFactor`, and
   * `TOTP_ENCRYPTION_KEY` in production. A login of a user with the factor on answers
   * `{"mfa_required":true,"challenge"}` whether these routes are mounted or not. Default false.
   */
  secondFactor?: boolean;
  /**
   * The refresh route's path as the browser requests it: the refresh cookie's `Path`, so that
   * it is sent nowhere else. Default `<basePath>/cookie/refresh`; set it when the routes are
   * served under a prefix (`routePrefix`, koa-mount).
   */
  refreshCookiePath?: string;
}

/** The body of a `202`: the mail, if any, goes out after the answer. */
export interface AcceptedAnswer {
  status: 'accepted';
}
const ACCEPTED: AcceptedAnswer = Object.freeze({ status: 'accepted' });

/** A controller class, as routing-controllers' `controllers` takes it. */
export type AuthRoutesController = new (...args: never[]) => unknown;

/**
 * The auth routes as routing-controllers controllers, to add to an app's `controllers`: login
 * (JSON or the OAuth2 password form), refresh (JSON or form), logout, logout-all and the
 * password change; registration and the cookie routes when asked. Answers are the demo
 * contract's (token pair, `Cache-Control: no-store`, coded errors). `configureApp` refuses
 * routes that the configuration cannot serve (cookies without the cookie transport,
 * registration without `createUser`).
 *
 * @example
 * ```ts
 * configureApp(app, {
 *   controllers: [...authRoutes({ cookies: true }), UserController],
 *   userAuthentication: new Users(),
 *   transports: ['bearer', 'cookie'],
 * });
 * ```
 */
export function authRoutes(options: AuthRoutesOptions = {}): AuthRoutesController[] {
  const basePath = routePath('basePath', options.basePath ?? '/auth');
  const passwordChangePath = routePath(
    'passwordChangePath',
    options.passwordChangePath ?? '/users/me/password',
  );
  const refreshPath = routePath(
    'refreshCookiePath',
    options.refreshCookiePath ?? `${basePath}/cookie/refresh`,
  );

  @Service()
  @JsonController(basePath)
  class AuthRoutes {
    constructor(@Inject(AUTH_ENDPOINTS) private readonly endpoints: AuthEndpoints) {}

    @Post('/login')
    @Header('Cache-Control', 'no-store')
    login(@Body() body: LoginBody, @Ctx() ctx: Context): Promise<LoginOutcome> {
      return this.endpoints.login(body, ctx);
    }

    @Post('/refresh')
    @Header('Cache-Control', 'no-store')
    refresh(@Body() body: RefreshBody, @Ctx() ctx: Context): Promise<TokenPair> {
      return this.endpoints.refresh(body, ctx);
    }

    @Authorized()
    @Post('/logout')
    @OnUndefined(204)
    logout(
      @CurrentPrincipal() principal: Principal,
      // A class type (not `LogoutBody | undefined`), for the parameter's metadata; the body
      // may be absent all the same.
      @Body({ required: false }) body: LogoutBody,
      @Ctx() ctx: Context,
    ): Promise<void> {
      const refreshToken = (body as LogoutBody | undefined)?.refresh_token;
      return this.endpoints.logout(principal, refreshToken, ctx, refreshPath);
    }

    @Authorized()
    @Post('/logout-all')
    @OnUndefined(204)
    logoutAll(@CurrentPrincipal() principal: Principal, @Ctx() ctx: Context): Promise<void> {
      return this.endpoints.logoutAll(principal, ctx, refreshPath);
    }
  }

  @Service()
  @JsonController(passwordChangePath)
  class PasswordChangeRoutes {
    constructor(@Inject(AUTH_ENDPOINTS) private readonly endpoints: AuthEndpoints) {}

    @Authorized()
    @Put('')
    @OnUndefined(204)
    changePassword(
      @CurrentPrincipal() principal: Principal,
      @Body() body: PasswordChangeBody,
      @Ctx() ctx: Context,
    ): Promise<void> {
      return this.endpoints.changePassword(principal, body, ctx, refreshPath);
    }
  }

  @Service()
  @JsonController(basePath)
  class RegistrationRoutes {
    constructor(@Inject(AUTH_ENDPOINTS) private readonly endpoints: AuthEndpoints) {}

    /** Throttled per client address (`REGISTER_MAX_PER_ADDRESS` an hour) before bcrypt runs. */
    @Post('/register')
    @HttpCode(201)
    register(@Body() body: RegisterBody, @Ctx() ctx: Context): Promise<object> {
      return this.endpoints.register(body, ctx);
    }
  }

  @Service()
  @JsonController(`${basePath}/verify-email`)
  class EmailVerificationRoutes {
    constructor(@Inject(AUTH_ENDPOINTS) private readonly endpoints: AuthEndpoints) {}

    /** Mails the caller a link to verify the current email (nothing if it is verified). */
    @Authorized()
    @Post('/request')
    @HttpCode(202)
    async request(
      @CurrentPrincipal() principal: Principal,
      @Ctx() ctx: Context,
    ): Promise<AcceptedAnswer> {
      await this.endpoints.requestEmailVerification(principal, ctx);
      return ACCEPTED;
    }

    @Post('')
    @OnUndefined(204)
    @Header('Cache-Control', 'no-store')
    verify(@Body() body: VerifyEmailBody, @Ctx() ctx: Context): Promise<void> {
      return this.endpoints.verifyEmail(body, ctx);
    }
  }

  @Service()
  @JsonController(basePath)
  class PasswordResetRoutes {
    constructor(@Inject(AUTH_ENDPOINTS) private readonly endpoints: AuthEndpoints) {}

    /** 202 for every email: whether it has an account is not told. */
    @Post('/forgot-password')
    @HttpCode(202)
    async forgot(@Body() body: ForgotPasswordBody, @Ctx() ctx: Context): Promise<AcceptedAnswer> {
      await this.endpoints.forgotPassword(body, ctx);
      return ACCEPTED;
    }

    @Post('/reset-password')
    @OnUndefined(204)
    @Header('Cache-Control', 'no-store')
    reset(@Body() body: ResetPasswordBody, @Ctx() ctx: Context): Promise<void> {
      return this.endpoints.resetPassword(body, ctx);
    }
  }

  @Service()
  @Authorized()
  @JsonController(`${basePath}/sessions`)
  class SessionRoutes {
    constructor(@Inject(AUTH_ENDPOINTS) private readonly endpoints: AuthEndpoints) {}

    @Get('', { transformResponse: false })
    @Header('Cache-Control', 'no-store')
    list(@CurrentPrincipal() principal: Principal): Promise<SessionView[]> {
      return this.endpoints.listSessions(principal);
    }

    @Delete('/:id')
    @OnUndefined(204)
    end(
      @CurrentPrincipal() principal: Principal,
      @Param('id') id: string,
      @Ctx() ctx: Context,
    ): Promise<void> {
      return this.endpoints.endSession(principal, id, ctx, refreshPath);
    }

    @Delete('')
    @OnUndefined(204)
    endOthers(@CurrentPrincipal() principal: Principal, @Ctx() ctx: Context): Promise<void> {
      return this.endpoints.endOtherSessions(principal, ctx);
    }
  }

  @Service()
  @JsonController(`${basePath}/cookie`)
  class CookieAuthRoutes {
    constructor(@Inject(AUTH_ENDPOINTS) private readonly endpoints: AuthEndpoints) {}

    @Post('/login')
    @Header('Cache-Control', 'no-store')
    login(
      @Body() body: LoginBody,
      @Ctx() ctx: Context,
    ): Promise<CookieSessionAnswer | SecondFactorChallenge> {
      return this.endpoints.cookieLogin(body, ctx, refreshPath);
    }

    @Post('/refresh')
    @Header('Cache-Control', 'no-store')
    refresh(@Ctx() ctx: Context): Promise<CookieSessionAnswer> {
      return this.endpoints.cookieRefresh(ctx, refreshPath);
    }

    @Authorized()
    @Post('/logout')
    @OnUndefined(204)
    logout(@CurrentPrincipal() principal: Principal, @Ctx() ctx: Context): Promise<void> {
      return this.endpoints.cookieLogout(principal, ctx, refreshPath);
    }
  }

  @Service()
  @JsonController(`${basePath}/2fa`)
  class SecondFactorRoutes {
    constructor(@Inject(AUTH_ENDPOINTS) private readonly endpoints: AuthEndpoints) {}

    /** The secret and the recovery codes, once: never cached. */
    @Authorized()
    @Post('/enroll')
    @Header('Cache-Control', 'no-store')
    enroll(
      @CurrentPrincipal() principal: Principal,
      @Ctx() ctx: Context,
    ): Promise<SecondFactorEnrolment> {
      return this.endpoints.enrollSecondFactor(principal, ctx);
    }

    @Authorized()
    @Post('/confirm')
    @OnUndefined(204)
    confirm(
      @CurrentPrincipal() principal: Principal,
      @Body() body: SecondFactorCodeBody,
      @Ctx() ctx: Context,
    ): Promise<void> {
      return this.endpoints.confirmSecondFactor(principal, body, ctx);
    }

    @Authorized()
    @Post('/disable')
    @OnUndefined(204)
    disable(
      @CurrentPrincipal() principal: Principal,
      @Body() body: SecondFactorCodeBody,
      @Ctx() ctx: Context,
    ): Promise<void> {
      return this.endpoints.disableSecondFactor(principal, body, ctx);
    }

    @Post('/verify')
    @Header('Cache-Control', 'no-store')
    verify(@Body() body: SecondFactorVerifyBody, @Ctx() ctx: Context): Promise<TokenPair> {
      return this.endpoints.verifySecondFactor(body, ctx);
    }
  }

  @Service()
  @JsonController(`${basePath}/cookie/2fa`)
  class CookieSecondFactorRoutes {
    constructor(@Inject(AUTH_ENDPOINTS) private readonly endpoints: AuthEndpoints) {}

    @Post('/verify')
    @Header('Cache-Control', 'no-store')
    verify(
      @Body() body: SecondFactorVerifyBody,
      @Ctx() ctx: Context,
    ): Promise<CookieSessionAnswer> {
      return this.endpoints.cookieVerifySecondFactor(body, ctx, refreshPath);
    }
  }

  const routes: AuthRoutesController[] = [AuthRoutes, PasswordChangeRoutes];
  if (options.sessions !== false) routes.push(SessionRoutes);
  if (options.registration === true) routes.push(RegistrationRoutes);
  if (options.cookies === true) routes.push(CookieAuthRoutes);
  if (options.emailVerification === true) routes.push(EmailVerificationRoutes);
  if (options.passwordReset === true) routes.push(PasswordResetRoutes);
  if (options.secondFactor === true) routes.push(SecondFactorRoutes);
  if (options.secondFactor === true && options.cookies === true) {
    routes.push(CookieSecondFactorRoutes);
  }
  const requirements: AuthRoutesRequirements = {
    cookies: options.cookies === true,
    registration: options.registration === true,
    emailVerification: options.emailVerification === true,
    passwordReset: options.passwordReset === true,
    secondFactor: options.secondFactor === true,
    refreshCookiePath: refreshPath,
  };
  for (const route of routes) {
    Object.defineProperty(route, AUTH_ROUTES_REQUIREMENTS, { value: requirements });
  }
  return routes;
}

/** A path of segments of URL path characters, no `;` or `,` (a cookie's `Path` too). */
const ROUTE_PATH = /^(\/[A-Za-z0-9._~!$&'()*+=:@%-]+)+$/;

/**
 * `path` without trailing slashes, checked: a route's path and the refresh cookie's `Path`.
 * @throws ConfigurationError for anything else (`;` would add cookie attributes).
 */
function routePath(option: string, path: string): string {
  const trimmed = typeof path === 'string' ? path.replace(/\/+$/, '') : '';
  if (!ROUTE_PATH.test(trimmed)) {
    throw new ConfigurationError(
      option,
      "must be a path such as /auth: segments of letters, digits and - . _ ~ ! $ & ' ( ) * + = : @ %",
    );
  }
  return trimmed;
}
