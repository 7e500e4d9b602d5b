import { Container } from 'typedi';
import type { ContainerInstance } from 'typedi';
import { AccessPolicy } from '../authorization/access-policy';
import type { Clock } from '../clock/clock';
import { systemClock } from '../clock/clock';
import { BaseAppSettings } from '../config/base-app-settings';
import { MemoryRevocationStore } from '../revocation/memory-revocation-store';
import type { RevocationStore } from '../revocation/revocation-store';
import type { BaseUserAuthentication } from '../auth/base-user-authentication';
import type { LoginLimiters } from '../throttling/login-limiters';
import { memoryLoginLimiters } from '../throttling/login-limiters';
import {
  ACCESS_POLICY,
  LOGIN_LIMITERS,
  REVOCATION_STORE,
  SECURITY_CLOCK,
  SECURITY_SETTINGS,
  USER_AUTHENTICATION,
} from './injection-tokens';

/** What an application may provide; the rest gets its default. */
export interface SecurityOptions {
  /** Default: `new BaseAppSettings()` from `process.env` (validated, may throw). */
  settings?: BaseAppSettings;
  /** Default: the wall clock. */
  clock?: Clock;
  /** Default: a `MemoryRevocationStore` (one process, not durable). */
  revocationStore?: RevocationStore;
  /**
   * The application's user lookup: each authenticated request then loads its user and roles.
   * Default: none, and the token's claims stand in for the user.
   */
  userAuthentication?: BaseUserAuthentication<unknown>;
  /** Counters of failed logins. Default: in memory (one process). */
  loginLimiters?: LoginLimiters;
  /**
   * Role hierarchy and permissions for `@Authorized(...)` and owner checks. Default: flat
   * roles (a role grants itself only), no permissions.
   */
  accessPolicy?: AccessPolicy;
}

/**
 * Registers the security configuration in a TypeDI container (the global one by default).
 * Call it once at start, before the first service is used: services are built once and
 * keep the configuration they were built with.
 *
 * @example
 * ```ts
 * configureSecurity({ settings: new AppSettings() });
 * const tokens = Container.get(TokenService);
 * ```
 */
export function configureSecurity(
  options: SecurityOptions = {},
  container: ContainerInstance = Container.of(),
): ContainerInstance {
  if (options.settings !== undefined) container.set(SECURITY_SETTINGS, options.settings);
  if (options.clock !== undefined) container.set(SECURITY_CLOCK, options.clock);
  if (options.revocationStore !== undefined) {
    container.set(REVOCATION_STORE, options.revocationStore);
  }
  if (options.userAuthentication !== undefined) {
    container.set(USER_AUTHENTICATION, options.userAuthentication);
  }
  if (options.loginLimiters !== undefined) container.set(LOGIN_LIMITERS, options.loginLimiters);
  if (options.accessPolicy !== undefined) container.set(ACCESS_POLICY, options.accessPolicy);
  return withSecurityDefaults(container);
}

/**
 * Fills in whatever the container lacks: settings from the environment, the wall clock, the
 * memory revocation store and in-memory login counters. Every entry point of the library goes through here, so the seed's
 * functions work with nothing but environment variables.
 */
export function withSecurityDefaults(
  container: ContainerInstance = Container.of(),
): ContainerInstance {
  if (!container.has(SECURITY_SETTINGS)) container.set(SECURITY_SETTINGS, new BaseAppSettings());
  if (!container.has(SECURITY_CLOCK)) container.set(SECURITY_CLOCK, systemClock);
  if (!container.has(REVOCATION_STORE)) {
    container.set(REVOCATION_STORE, new MemoryRevocationStore(container.get(SECURITY_CLOCK)));
  }
  if (!container.has(USER_AUTHENTICATION)) container.set(USER_AUTHENTICATION, null);
  if (!container.has(ACCESS_POLICY)) container.set(ACCESS_POLICY, new AccessPolicy());
  if (!container.has(LOGIN_LIMITERS)) {
    container.set(LOGIN_LIMITERS, memoryLoginLimiters(container.get(SECURITY_SETTINGS)));
  }
  return container;
}
