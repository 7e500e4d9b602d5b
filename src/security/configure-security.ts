import { Container, Token } from 'typedi';
import { AccountLifecycle } from '../account/account-lifecycle';
import type { ContainerInstance } from 'typedi';
import { AuditTrail } from '../audit/audit-trail';
import type { LoginWorkflowSource } from '../auth/base-user-authentication';
import { bindUserAuthentication } from '../auth/base-user-authentication';
import type { LoginWorkflow } from '../auth/login-workflow';
import {
  ACCESS_POLICY,
  AUTH_ENDPOINTS,
  SESSION_REGISTRY,
  LOGIN_LIMITERS,
  REVOCATION_STORE,
  SECURITY_CLOCK,
  SECURITY_SETTINGS,
  USER_AUTHENTICATION,
} from '../container/injection-tokens';
import { ConfigurationError } from '../errors/security-errors';
import { RequestAuthentication } from '../koa/request-authentication';
import { PasswordHasher } from '../password/password-hasher';
import { RefreshRotationService } from '../revocation/refresh-rotation-service';
import { RevocationService } from '../revocation/revocation-service';
import { LoginThrottle } from '../throttling/login-throttle';
import { SessionService } from '../sessions/session-service';
import { RegistrationThrottle } from '../throttling/registration-throttle';
import { TokenService } from '../tokens/token-service';
import type { Security } from './security';
import { createSecurity } from './security';
import type { SecurityOptions } from './security-options';
import { SECURITY_OPTION_NAMES } from './security-options';

/**
 * The options a container was given, and the services once built. Options may arrive in
 * several calls (`configureSecurity`, then `configureApp`) until the services are built;
 * after that, a new value would be ignored, so it is refused instead.
 */
class ContainerSecurity implements LoginWorkflowSource {
  private readonly options: SecurityOptions = {};
  private built: Security | undefined;
  /** `configureSecurity` (or `configureApp`) was called, with options or without. */
  private configured = false;

  constructor(private readonly global: boolean) {}

  add(options: SecurityOptions): void {
    this.configured = true;
    for (const name of SECURITY_OPTION_NAMES) {
      const value = options[name];
      if (value === undefined || sameOption(value, this.options[name])) continue;
      if (this.options[name] !== undefined) {
        throw new ConfigurationError(
          name,
          'was already configured for this container with another value: give each option once',
        );
      }
      if (this.built !== undefined) {
        throw new ConfigurationError(
          name,
          'came after the security services of this container were built (by configureApp, routingControllersOptions or a first use): configure everything before',
        );
      }
      if (name === 'userAuthentication') bindUserAuthentication(value as object, this);
      (this.options as Record<string, unknown>)[name] = value;
    }
  }

  /** The workflow of the configured user authentication, building the services if need be. */
  loginWorkflow(): LoginWorkflow<never> {
    return this.security().loginWorkflow as LoginWorkflow<never>;
  }

  security(): Security {
    // Checked on every use, not only the first: a global container built from the
    // environment by a seed function before the app configured a container of its own
    // must not go on serving defaults beside it.
    if (!this.configured) {
      if (!this.global) {
        throw new ConfigurationError(
          'configureSecurity',
          'was not called for this container: configure it (or call configureApp) before using its services',
        );
      }
      if (otherContainersConfigured) {
        // The seed functions would otherwise run on defaults beside the app's configuration.
        throw new ConfigurationError(
          'configureSecurity',
          'was called for another container, not the global one that the seed functions use: call configureSecurity() for the global container, or use the services of yours',
        );
      }
    }
    return (this.built ??= createSecurity(this.options, this));
  }
}

/** The same value, or (for `transports`) the same set. */
function sameOption(value: unknown, current: unknown): boolean {
  if (value === current) return true;
  if (!Array.isArray(value) || !Array.isArray(current)) return false;
  const given = new Set<unknown>(value);
  const known = new Set<unknown>(current);
  return given.size === known.size && [...given].every((item) => known.has(item));
}

const CONTAINER_SECURITY = new Token<ContainerSecurity>('fastcore.security.container-security');

/** Whether a container other than the global one was configured in this process. */
let otherContainersConfigured = false;

/** What a configured container resolves, by class or token, for the application to inject. */
const REGISTERED: readonly [unknown, (security: Security) => unknown][] = [
  [SECURITY_SETTINGS, (s) => s.settings],
  [SECURITY_CLOCK, (s) => s.clock],
  [REVOCATION_STORE, (s) => s.revocationStore],
  [LOGIN_LIMITERS, (s) => s.loginLimiters],
  [ACCESS_POLICY, (s) => s.accessPolicy],
  [USER_AUTHENTICATION, (s) => s.userAuthentication],
  [AuditTrail, (s) => s.audit],
  [PasswordHasher, (s) => s.hasher],
  [TokenService, (s) => s.tokens],
  [RevocationService, (s) => s.revocation],
  [RefreshRotationService, (s) => s.rotation],
  [LoginThrottle, (s) => s.throttle],
  [RegistrationThrottle, (s) => s.registrationThrottle],
  [RequestAuthentication, (s) => s.requestAuthentication],
  [AUTH_ENDPOINTS, (s) => s.authEndpoints ?? missingUserAuthentication()],
  [SESSION_REGISTRY, (s) => s.sessionRegistry],
  [SessionService, (s) => s.sessions],
  [AccountLifecycle, (s) => s.accountLifecycle ?? missingUserAuthentication()],
];

function missingUserAuthentication(): never {
  throw new ConfigurationError(
    'userAuthentication',
    'is required by the auth routes (authRoutes): give your BaseUserAuthentication subclass',
  );
}

function stateOf(container: ContainerInstance): ContainerSecurity {
  // `has` looks in this container only: a scoped container never borrows the global one's.
  if (container.has(CONTAINER_SECURITY)) return container.get(CONTAINER_SECURITY);
  const state = new ContainerSecurity(container === Container.of());
  container.set(CONTAINER_SECURITY, state);
  for (const [id, pick] of REGISTERED) {
    container.set({
      id: id as Token<unknown>,
      // The asking container: a scoped container that borrows this registration from the
      // global one must have been configured itself.
      factory: (asking: ContainerInstance) => pick(securityOf(asking)),
    });
  }
  return state;
}

/**
 * Configures the security of a TypeDI container (the global one by default). Nothing is
 * built yet: the services are built once, from everything given so far, by `configureApp`
 * or `routingControllersOptions`, or on the first use of a service (`Container.get`). Options
 * may be split across calls (here and `configureApp`) in any order until then; giving an
 * option another value, or any new option once the services are built, throws a
 * `ConfigurationError` instead of being ignored.
 *
 * @example
 * ```ts
 * configureSecurity({ settings: new AppSettings(), revocationStore, loginLimiters });
 * const tokens = Container.get(TokenService);
 * ```
 * @returns the container, whose services (`TokenService`, `RevocationService`, …) and tokens
 *   (`SECURITY_SETTINGS`, `USER_AUTHENTICATION`, …) then resolve to the configured ones.
 */
export function configureSecurity(
  options: SecurityOptions = {},
  container: ContainerInstance = Container.of(),
): ContainerInstance {
  const state = stateOf(container);
  state.add(options);
  if (container !== Container.of()) otherContainersConfigured = true;
  const users = options.userAuthentication;
  // The application's own class resolves to its configured instance too.
  if (users !== undefined) container.set({ id: users.constructor, value: users });
  return container;
}

/**
 * The container's services, built now if they are not yet. The global container, never
 * configured, is built from the environment (the seed's functions work with nothing else),
 * unless another container was configured; any other container must have been configured.
 */
export function securityOf(container: ContainerInstance = Container.of()): Security {
  return stateOf(container).security();
}
