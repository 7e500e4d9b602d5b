// '@fastcore/security/advanced': extension points and the parts behind the services, for
// writing a revocation store or a limiter back end, composing the services without TypeDI,
// or reusing a piece (key set, bearer parsing, error mapping) on its own. What an
// application calls is at the package root (src/index.ts); no name is in both.
// Named exports only, no side effects beyond the reflect-metadata polyfill typedi needs.
import 'reflect-metadata';

// The composition root, without a container
export { createSecurity } from './security/security';
export type { Security } from './security/security';

// Writing a revocation store
export type {
  NextGeneration,
  RefreshCheckOutcome,
  RefreshRotateOutcome,
  RefreshTokenState,
  RevocationStore,
  StoreDataLoss,
  TokenRevocationState,
} from './revocation/revocation-store';

// Writing a session registry
export type { SessionRecord, SessionRegistry } from './sessions/session-registry';
export { MAX_ADDRESS_LENGTH, MAX_USER_AGENT_LENGTH } from './sessions/session-registry';

// Login throttling: the limiters and the throttle around them
export {
  KNOWN_ADDRESS_DAYS,
  loginLimiterOptions,
  memoryLoginLimiters,
} from './throttling/login-limiters';
export type { LoginLimiters } from './throttling/login-limiters';
export { LoginThrottle } from './throttling/login-throttle';
export type { CountedAttempt, LoginAttempt } from './throttling/login-throttle';
export { RegistrationThrottle } from './throttling/registration-throttle';
export type { CountedRegistration } from './throttling/registration-throttle';
export { ThrottleKeys } from './throttling/throttle-keys';
export { throttlingAddress } from './throttling/client-address';
export { BcryptWorkLimit } from './password/bcrypt-work-limit';

// Users: the interface BaseUserAuthentication implements
export type { UserAdapter } from './auth/user-adapter';

// Tokens: refresh families
export type { FamilyOptions } from './tokens/token-service';
export type { RefreshFamily } from './tokens/token-pair';
export { MAX_TOKEN_LENGTH } from './tokens/jws-shape';

// Algorithms and keys
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
export { JwtKeySet } from './keys/jwt-key-set';
export { jwkThumbprint } from './keys/jwk-thumbprint';

// Passwords
export { BCRYPT_MAX_INPUT_BYTES } from './password/password-policy';

// Roles
export { normalizeRoles } from './authorization/roles';

// Koa pieces: request authentication, checkers of a given container, error mapping
export { RequestAuthentication } from './koa/request-authentication';
export { createAuthorizationChecker, createCurrentUserChecker } from './koa/security-checkers';
export type { AuthorizationChecker, CurrentUserChecker } from './koa/security-checkers';
export { readBearerToken } from './koa/bearer-token';
export { ERROR_DESCRIPTIONS, toHttpProblem } from './koa/http-problem';
export type { HttpProblem } from './koa/http-problem';

// The cookie transport's parts
export { cookieNames } from './transport/cookie-names';
export type { CookieNames } from './transport/cookie-names';
export { CredentialReader } from './transport/credential-reader';
export { CsrfGuard, isStateChanging } from './transport/csrf-guard';
export { CookieSession } from './transport/cookie-session';
export { readCookie } from './transport/request-cookie';
export { parseAllowedOrigins } from './config/cookie-settings';
export type { CookieSettingsDefaults } from './config/cookie-settings';

// Logging
export { stderrErrorReporter } from './logging/error-reporter';
