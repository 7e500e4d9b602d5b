import type { BaseUserAuthentication } from '../auth/base-user-authentication';
import type { AccessPolicy } from '../authorization/access-policy';
import type { Clock } from '../clock/clock';
import type { BaseAppSettings } from '../config/base-app-settings';
import type { ErrorReporter } from '../logging/error-reporter';
import type { RevocationStore } from '../revocation/revocation-store';
import type { SessionRegistry } from '../sessions/session-registry';
import type { LoginLimiters } from '../throttling/login-limiters';
import type { TokenTransport } from '../transport/token-transport';

/** What an application may provide; the rest gets its default. */
export interface SecurityOptions {
  /** Default: `new BaseAppSettings()` from `process.env` (validated, may throw). */
  settings?: BaseAppSettings;
  /** Default: the wall clock. */
  clock?: Clock;
  /** Default: a `MemoryRevocationStore` (one process, not durable). */
  revocationStore?: RevocationStore;
  /**
   * The application's user lookup: the workflow (login, refresh, logout, password change) is
   * built around it, and each authenticated request loads its user and roles through it.
   * Default: none, and the token's claims stand in for the user.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any user type
  userAuthentication?: BaseUserAuthentication<any>;
  /**
   * The index of each user's sessions (login families): listed, ended one by one, bounded by
   * `MAX_SESSIONS_PER_USER`. Default: a `MemorySessionRegistry` (one process). With a Redis
   * revocation store, give a `RedisSessionRegistry` too: a refresh goes on only while its
   * session is registered.
   */
  sessionRegistry?: SessionRegistry;
  /** Counters of failed logins. Default: in memory (one process). */
  loginLimiters?: LoginLimiters;
  /**
   * Role hierarchy and permissions for `@Authorized(...)` and owner checks. Default: flat
   * roles (a role grants itself only), no permissions.
   */
  accessPolicy?: AccessPolicy;
  /**
   * Told of unexpected errors the library survives (a 500, a hash upgrade that could not be
   * stored). Default: one JSON line on stderr with name, message and stack.
   */
  reportError?: ErrorReporter;
  /**
   * How access tokens may travel: `'bearer'` (the `Authorization` header) and/or `'cookie'`
   * (the cookie transport: `HttpOnly` cookies set by the cookie routes, with CSRF checks on
   * every state-changing request; needs `ALLOWED_ORIGINS`). With both, a request carrying
   * both is refused (400). Default `['bearer']`.
   */
  transports?: readonly TokenTransport[];
}

/** Every option's name, for merging and comparing configurations. */
export const SECURITY_OPTION_NAMES = [
  'settings',
  'clock',
  'revocationStore',
  'sessionRegistry',
  'userAuthentication',
  'loginLimiters',
  'accessPolicy',
  'reportError',
  'transports',
] as const satisfies readonly (keyof SecurityOptions)[];
