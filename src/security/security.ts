import { AuditTrail } from '../audit/audit-trail';
import type { BaseUserAuthentication, LoginWorkflowSource } from '../auth/base-user-authentication';
import { bindUserAuthentication } from '../auth/base-user-authentication';
import { LoginWorkflow } from '../auth/login-workflow';
import { AccessPolicy } from '../authorization/access-policy';
import type { Clock } from '../clock/clock';
import { systemClock } from '../clock/clock';
import { BaseAppSettings } from '../config/base-app-settings';
import { RequestAuthentication } from '../koa/request-authentication';
import type { ErrorReporter } from '../logging/error-reporter';
import { stderrErrorReporter } from '../logging/error-reporter';
import { PasswordHasher } from '../password/password-hasher';
import { MemoryRevocationStore } from '../revocation/memory-revocation-store';
import { RefreshRotationService } from '../revocation/refresh-rotation-service';
import { RevocationService } from '../revocation/revocation-service';
import type { RevocationStore } from '../revocation/revocation-store';
import type { LoginLimiters } from '../throttling/login-limiters';
import { memoryLoginLimiters } from '../throttling/login-limiters';
import { LoginThrottle } from '../throttling/login-throttle';
import { RegistrationThrottle } from '../throttling/registration-throttle';
import { ThrottleKeys } from '../throttling/throttle-keys';
import { TokenService } from '../tokens/token-service';
import type { SecurityOptions } from './security-options';

/** Every service of one configuration, each built once and handed its collaborators. */
export interface Security {
  readonly settings: BaseAppSettings;
  readonly clock: Clock;
  readonly revocationStore: RevocationStore;
  readonly loginLimiters: LoginLimiters;
  readonly accessPolicy: AccessPolicy;
  readonly reportError: ErrorReporter;
  readonly audit: AuditTrail;
  readonly hasher: PasswordHasher;
  readonly tokens: TokenService;
  readonly revocation: RevocationService;
  readonly rotation: RefreshRotationService;
  readonly throttle: LoginThrottle;
  readonly registrationThrottle: RegistrationThrottle;
  readonly requestAuthentication: RequestAuthentication;
  /** The application's user authentication, now bound to these services; or `null`. */
  readonly userAuthentication: BaseUserAuthentication<unknown> | null;
  /** The login workflow around `userAuthentication`; `null` without one. */
  readonly loginWorkflow: LoginWorkflow<unknown> | null;
}

/**
 * The composition root: builds every service from complete options, defaults filled in,
 * in dependency order. Nothing here or below looks anything up in a container.
 * @param owner the configuration `options.userAuthentication` was already bound to (a
 *   configured container); without it, the user authentication is bound to what this builds.
 * @throws ConfigurationError for bad settings from the environment, or a user authentication
 *   that already belongs to another configuration.
 */
export function createSecurity(
  options: SecurityOptions = {},
  owner?: LoginWorkflowSource,
): Security {
  const settings = options.settings ?? new BaseAppSettings();
  const clock = options.clock ?? systemClock;
  const revocationStore = options.revocationStore ?? new MemoryRevocationStore(clock);
  const loginLimiters = options.loginLimiters ?? memoryLoginLimiters(settings);
  const accessPolicy = options.accessPolicy ?? new AccessPolicy();
  const reportError = options.reportError ?? stderrErrorReporter;
  const audit = new AuditTrail(clock);
  const hasher = new PasswordHasher(settings);
  const tokens = new TokenService(settings, clock);
  const revocation = new RevocationService(tokens, revocationStore, settings, clock);
  const rotation = new RefreshRotationService(tokens, revocationStore, settings, audit, clock);
  const throttleKeys = new ThrottleKeys(settings);
  const throttle = new LoginThrottle(loginLimiters, settings, audit, throttleKeys);
  const registrationThrottle = new RegistrationThrottle(
    loginLimiters.registration,
    settings,
    throttleKeys,
  );
  const userAuthentication = options.userAuthentication ?? null;
  const loginWorkflow =
    userAuthentication === null
      ? null
      : new LoginWorkflow(userAuthentication, {
          hasher,
          tokens,
          revocation,
          rotation,
          throttle,
          registrationThrottle,
          audit,
          reportError,
        });
  if (userAuthentication !== null && owner === undefined) {
    bindUserAuthentication(userAuthentication, {
      loginWorkflow: () => loginWorkflow as LoginWorkflow<never>,
    });
  }
  return {
    settings,
    clock,
    revocationStore,
    loginLimiters,
    accessPolicy,
    reportError,
    audit,
    hasher,
    tokens,
    revocation,
    rotation,
    throttle,
    registrationThrottle,
    requestAuthentication: new RequestAuthentication(revocation, userAuthentication, audit),
    userAuthentication,
    loginWorkflow,
  };
}
