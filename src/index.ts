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
export {
  ASYMMETRIC_ALGORITHMS,
  HMAC_ALGORITHMS,
  JWT_ALGORITHMS,
  MIN_HMAC_KEY_BYTES,
  MIN_RSA_KEY_BITS,
  isHmacAlgorithm,
} from './config/jwt-algorithms';
export type { AsymmetricAlgorithm, HmacAlgorithm, JwtAlgorithm } from './config/jwt-algorithms';
export type { AsymmetricKeyTexts } from './config/jwt-key-settings';

// Keys
export { JwtKeySet } from './keys/jwt-key-set';
export type { JsonWebKeySet, PublicJwk } from './keys/jwt-key-set';
export { jwkThumbprint } from './keys/jwk-thumbprint';

// Container
export {
  ACCESS_POLICY,
  LOGIN_LIMITERS,
  REVOCATION_STORE,
  SECURITY_CLOCK,
  SECURITY_SETTINGS,
  USER_AUTHENTICATION,
} from './container/injection-tokens';
export { configureSecurity } from './security/configure-security';
export type { SecurityOptions } from './security/security-options';
export type { Security } from './security/security';
export { stderrErrorReporter } from './logging/error-reporter';
export type { ErrorReporter } from './logging/error-reporter';
export { systemClock } from './clock/clock';
export type { Clock } from './clock/clock';

// Errors
export {
  AuthenticationRequiredError,
  ConfigurationError,
  CurrentPasswordError,
  ForbiddenError,
  InvalidCredentialsError,
  InvalidRequestError,
  InvalidTokenError,
  PasswordPolicyError,
  SecurityError,
  StoreUnavailableError,
  TooManyAttemptsError,
  TokenExpiredError,
  TokenRevokedError,
  WrongTokenTypeError,
} from './errors/security-errors';

// Passwords
export { PasswordHasher } from './password/password-hasher';
export {
  BCRYPT_MAX_INPUT_BYTES,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
} from './password/password-policy';

// Tokens
export { TokenService } from './tokens/token-service';
export type { CreateTokenOptions, FamilyOptions } from './tokens/token-service';
export type {
  AccessTokenClaims,
  RefreshTokenClaims,
  TokenClaims,
  TokenType,
} from './tokens/token-claims';
export type { TokenData } from './tokens/token-data';
export type { RefreshFamily, TokenPair } from './tokens/token-pair';
export { MAX_TOKEN_LENGTH } from './tokens/jws-shape';

// Revocation
export { RevocationService } from './revocation/revocation-service';
export { RefreshRotationService } from './revocation/refresh-rotation-service';
export type { RefreshOptions } from './revocation/refresh-rotation-service';
export { MemoryRevocationStore } from './revocation/memory-revocation-store';
export { RedisRevocationStore } from './revocation/redis-revocation-store';
export type { RedisRevocationStoreOptions } from './revocation/redis-revocation-store';
export { createRedisClient } from './revocation/redis-client';
export type { FailFastRedisOptions } from './revocation/redis-client';
export type {
  RefreshSpendOutcome,
  RefreshSpendRequest,
  RevocationStore,
  TokenRevocationState,
} from './revocation/revocation-store';

// Login workflow
export { BaseUserAuthentication } from './auth/base-user-authentication';
export type { LoginClient } from './auth/login-client';
export type { UserAdapter } from './auth/user-adapter';
export type { UserAuthentication } from './auth/user-authentication';

// Audit trail
export { AuditTrail } from './audit/audit-trail';
export type { SecurityEventListener } from './audit/audit-trail';
export type {
  AccessDenied,
  AccountLocked,
  LoggedOut,
  LoggedOutEverywhere,
  LoginFailed,
  LoginSucceeded,
  PasswordChanged,
  RefreshReuseDetected,
  SecurityEvent,
  TokenRefreshed,
} from './audit/security-event';

// Login throttling
export { LoginThrottle } from './throttling/login-throttle';
export type { CountedAttempt, LoginAttempt } from './throttling/login-throttle';
export {
  loginLimiterOptions,
  memoryLoginLimiters,
  redisLoginLimiters,
} from './throttling/login-limiters';
export type { LoginLimiters } from './throttling/login-limiters';
export type { Principal } from './auth/principal';

// Authorization
export { normalizeRoles } from './authorization/roles';
export { AccessPolicy } from './authorization/access-policy';
export type { AccessPolicyConfig } from './authorization/access-policy';

// Koa and routing-controllers
export { configureApp } from './koa/configure-app';
export type { ConfigureAppOptions } from './koa/configure-app';
export { routingControllersOptions } from './koa/routing-controllers-options';
export type {
  SecureRoutingControllersOptions,
  SecureServerOptions,
} from './koa/routing-controllers-options';
export {
  authorizationChecker,
  createAuthorizationChecker,
  createCurrentUserChecker,
  currentUserChecker,
} from './koa/security-checkers';
export type { AuthorizationChecker, CurrentUserChecker } from './koa/security-checkers';
export { securityErrorLayer } from './koa/error-layer';
export type { ErrorLayerOptions } from './koa/error-layer';
export { ERROR_DESCRIPTIONS, toHttpProblem } from './koa/http-problem';
export type { HttpProblem } from './koa/http-problem';
export { readBearerToken } from './koa/bearer-token';
export { RequestAuthentication } from './koa/request-authentication';
export { CurrentPrincipal } from './koa/current-principal';
