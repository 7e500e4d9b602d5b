// The package root: what an application calls. Extension points and the parts behind the
// services are at '@fastcore/security/advanced' (src/advanced.ts); no name is in both.
// Named exports only, no side effects beyond the reflect-metadata polyfill typedi needs.
import 'reflect-metadata';

// The original module's functions
export {
  createAccessToken,
  createRefreshToken,
  createTokenPair,
  getJwks,
  getPasswordHash,
  refreshAccessToken,
  revokeAllUserTokens,
  revokeToken,
  verifyAccessToken,
  verifyPassword,
} from './facade/seed-functions';

// Settings
export { BaseAppSettings } from './config/base-app-settings';
export type { SettingsDefaults } from './config/base-app-settings';
export { EnvReader } from './config/env-reader';
export type { Environment, IntegerRange } from './config/env-reader';

// Configuration and the tokens the application injects
export { configureSecurity } from './security/configure-security';
export type { SecurityOptions } from './security/security-options';
export {
  ACCESS_POLICY,
  LOGIN_LIMITERS,
  REVOCATION_STORE,
  SECURITY_CLOCK,
  SECURITY_SETTINGS,
  USER_AUTHENTICATION,
} from './container/injection-tokens';
export { systemClock } from './clock/clock';
export type { Clock } from './clock/clock';
export type { ErrorReporter } from './logging/error-reporter';

// Koa and routing-controllers
export { configureApp } from './koa/configure-app';
export type { ConfigureAppOptions } from './koa/configure-app';
export { routingControllersOptions } from './koa/routing-controllers-options';
export type {
  SecureRoutingControllersOptions,
  SecureServerOptions,
} from './koa/routing-controllers-options';
export { authorizationChecker, currentUserChecker } from './koa/security-checkers';
export { securityErrorLayer } from './koa/error-layer';
export type { ErrorLayerOptions } from './koa/error-layer';
export { CurrentPrincipal } from './koa/current-principal';

// The auth routes, and the transports a token may travel by
export { authRoutes } from './routes/auth-routes';
export type { AuthRoutesController, AuthRoutesOptions } from './routes/auth-routes';
export {
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
} from './routes/auth-bodies';
export { AUTH_ENDPOINTS } from './container/injection-tokens';
export type { AuthEndpoints } from './routes/auth-endpoints';
export type { TokenTransport } from './transport/token-transport';
export type { CookieSessionAnswer } from './transport/cookie-session';
export { CSRF_HEADER } from './transport/csrf-guard';
export type { CookieSameSite, CookieSettings } from './config/cookie-settings';

// The HTTP server: timeouts for slow clients, JSON answers to what Node refuses itself
export { hardenHttpServer } from './http/harden-http-server';
export type { HttpServerLimits } from './http/harden-http-server';

// Users and the login workflow
export { BaseUserAuthentication } from './auth/base-user-authentication';
export type { LoginClient } from './auth/login-client';
export type { Principal } from './auth/principal';
export type { UserAuthentication } from './auth/user-authentication';

// Authorization
export { AccessPolicy } from './authorization/access-policy';
export type { AccessPolicyConfig } from './authorization/access-policy';

// Services an application injects
export { TokenService } from './tokens/token-service';
export { RevocationService } from './revocation/revocation-service';
export { RefreshRotationService } from './revocation/refresh-rotation-service';
export { PasswordHasher } from './password/password-hasher';
export { AuditTrail } from './audit/audit-trail';
export type { SecurityEventListener } from './audit/audit-trail';

// Revocation stores and Redis
export { MemoryRevocationStore } from './revocation/memory-revocation-store';
export { RedisRevocationStore } from './revocation/redis-revocation-store';
export type {
  EvictionPolicyCheck,
  RedisRevocationClient,
  RedisRevocationStoreOptions,
} from './revocation/redis-revocation-store';
export {
  createRedisClient,
  createRedisClusterClient,
  createRedisSentinelClient,
  redisAddress,
} from './revocation/redis-client';
export type {
  FailFastClusterOptions,
  FailFastRedisOptions,
  RedisAddress,
  SentinelTarget,
} from './revocation/redis-client';
export { redisLoginLimiters } from './throttling/login-limiters';
export type { RedisLimiterClient } from './throttling/login-limiters';

// Session registries: each user's live sessions, for listing and ending them
export { MemorySessionRegistry } from './sessions/memory-session-registry';
export { RedisSessionRegistry } from './sessions/redis-session-registry';
export type {
  RedisSessionClient,
  RedisSessionRegistryOptions,
} from './sessions/redis-session-registry';
export { SessionService } from './sessions/session-service';
export type { SessionView } from './sessions/session-service';
export { SESSION_REGISTRY } from './container/injection-tokens';

// Errors
export {
  AccountMailError,
  AuthenticationRequiredError,
  ConfigurationError,
  AlreadyRegisteredError,
  CsrfError,
  CurrentPasswordError,
  ForbiddenError,
  InvalidAccountTokenError,
  InvalidCredentialsError,
  InvalidRequestError,
  InvalidTokenError,
  PasswordPolicyError,
  SecondFactorRequiredError,
  SecondFactorStateError,
  SecurityError,
  ServerBusyError,
  SessionNotFoundError,
  StoreDataLostError,
  StoreUnavailableError,
  TooManyAttemptsError,
  TokenExpiredError,
  TokenRevokedError,
  WrongTokenTypeError,
} from './errors/security-errors';

// The account lifecycle: email verification and password reset
export { AccountLifecycle } from './account/account-lifecycle';
export type { AccountMail, AccountMailKind } from './account/account-mail';

// The TOTP second factor
export { isSecondFactorChallenge } from './mfa/second-factor-challenge';
export type { LoginOutcome, SecondFactorChallenge } from './mfa/second-factor-challenge';
export { isSecondFactorOn } from './mfa/second-factor-record';
export type { SecondFactorEnrolment } from './mfa/second-factor';

// Tokens and claims
export type { CreateTokenOptions } from './tokens/token-service';
export type { RefreshOptions } from './revocation/refresh-rotation-service';
export type {
  AccessTokenClaims,
  RefreshTokenClaims,
  TokenClaims,
  TokenType,
} from './tokens/token-claims';
export type { TokenData } from './tokens/token-data';
export type { TokenPair } from './tokens/token-pair';
export type { JsonWebKeySet, PublicJwk } from './keys/jwt-key-set';

// Password policy bounds, for request validation (`@MaxLength(MAX_PASSWORD_LENGTH)`)
export { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './password/password-policy';

// Security events
export type {
  AccessDenied,
  AccountLocked,
  AccountMailSent,
  EmailVerified,
  PasswordReset,
  PasswordResetRequested,
  LoggedOut,
  LoggedOutEverywhere,
  LoginFailed,
  LoginSucceeded,
  PasswordChanged,
  RecoveryCodeUsed,
  RefreshReuseDetected,
  SecondFactorChallenged,
  SecondFactorDisabled,
  SecondFactorEnabled,
  SecondFactorEnrolled,
  SecurityEvent,
  StoreDataLost,
  TokenRefreshed,
} from './audit/security-event';
