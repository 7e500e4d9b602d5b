import { AccountLifecycle } from '../account/account-lifecycle';
import { MailOutbox } from '../account/mail-outbox';
import { PurposeTokens } from '../account/purpose-tokens';
import { AuditTrail } from '../audit/audit-trail';
import { RecoveryCodes } from '../mfa/recovery-codes';
import { SecretCipher } from '../mfa/secret-cipher';
import type { SecondFactorKeys } from '../mfa/second-factor';
import { SecondFactor } from '../mfa/second-factor';
import type { BaseUserAuthentication, LoginWorkflowSource } from '../auth/base-user-authentication';
import { bindUserAuthentication } from '../auth/base-user-authentication';
import { LoginWorkflow } from '../auth/login-workflow';
import { PasswordReplacement } from '../auth/password-replacement';
import { AccessPolicy } from '../authorization/access-policy';
import type { Clock } from '../clock/clock';
import { systemClock } from '../clock/clock';
import { BaseAppSettings } from '../config/base-app-settings';
import { RequestAuthentication } from '../koa/request-authentication';
import type { ErrorReporter } from '../logging/error-reporter';
import { stderrErrorReporter } from '../logging/error-reporter';
import { PasswordHasher } from '../password/password-hasher';
import { MemoryRevocationStore } from '../revocation/memory-revocation-store';
import { RedisRevocationStore } from '../revocation/redis-revocation-store';
import { RefreshRotationService } from '../revocation/refresh-rotation-service';
import { RevocationService } from '../revocation/revocation-service';
import type { RevocationStore } from '../revocation/revocation-store';
import type { LoginLimiters } from '../throttling/login-limiters';
import { memoryLoginLimiters } from '../throttling/login-limiters';
import { AccountMailThrottle } from '../throttling/account-mail-throttle';
import { LoginThrottle } from '../throttling/login-throttle';
import { RegistrationThrottle } from '../throttling/registration-throttle';
import { ThrottleKeys } from '../throttling/throttle-keys';
import { TokenService } from '../tokens/token-service';
import { AuthEndpoints } from '../routes/auth-endpoints';
import type { CookieTransportParts } from '../routes/auth-endpoints';
import { ConfigurationError, StoreDataLostError } from '../errors/security-errors';
import { cookieNames } from '../transport/cookie-names';
import type { CookieNames } from '../transport/cookie-names';
import { CookieSession } from '../transport/cookie-session';
import { CredentialReader } from '../transport/credential-reader';
import { CsrfGuard } from '../transport/csrf-guard';
import type { TokenTransport } from '../transport/token-transport';
import { TOKEN_TRANSPORTS } from '../transport/token-transport';
import { MemorySessionRegistry } from '../sessions/memory-session-registry';
import type { SessionRegistry } from '../sessions/session-registry';
import { SessionService } from '../sessions/session-service';
import type { SecurityOptions } from './security-options';

/** Every service of one configuration, each built once and handed its collaborators. */
export interface Security {
  readonly settings: BaseAppSettings;
  readonly clock: Clock;
  readonly revocationStore: RevocationStore;
  readonly sessionRegistry: SessionRegistry;
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
  /** Email verification and password reset around `userAuthentication`; `null` without one. */
  readonly accountLifecycle: AccountLifecycle<unknown> | null;
  /** Sessions a user can see and end. */
  readonly sessions: SessionService;
  /** The enabled token transports. */
  readonly transports: readonly TokenTransport[];
  /** The cookie transport's session cookies and CSRF guard; `null` when it is off. */
  readonly cookieTransport: CookieTransportParts | null;
  /** What the auth routes do; `null` without a user authentication. */
  readonly authEndpoints: AuthEndpoints | null;
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
  const revocationStore: RevocationStore =
    options.revocationStore ?? new MemoryRevocationStore(clock);
  const sessionRegistry = sessionRegistryOf(revocationStore, options.sessionRegistry, clock);
  const loginLimiters = options.loginLimiters ?? memoryLoginLimiters(settings);
  const accessPolicy = options.accessPolicy ?? new AccessPolicy();
  const reportError = options.reportError ?? stderrErrorReporter;
  const audit = new AuditTrail(clock);
  revocationStore.onDataLoss?.((loss) => {
    audit.record({ type: 'store_data_lost', ...loss });
    reportError('store_data_lost', new StoreDataLostError(loss.parts, loss.detectedBy));
  });
  const hasher = new PasswordHasher(settings);
  const tokens = new TokenService(settings, clock);
  const revocation = new RevocationService(tokens, revocationStore, settings, clock);
  const sessions = new SessionService(
    sessionRegistry,
    revocationStore,
    settings,
    accessPolicy,
    audit,
    clock,
    reportError,
  );
  const rotation = new RefreshRotationService(
    tokens,
    revocationStore,
    settings,
    audit,
    clock,
    sessions,
  );
  const throttleKeys = new ThrottleKeys(settings);
  const throttle = new LoginThrottle(loginLimiters, settings, audit, throttleKeys);
  const registrationThrottle = new RegistrationThrottle(
    loginLimiters.registration,
    settings,
    throttleKeys,
  );
  const userAuthentication = options.userAuthentication ?? null;
  const passwords =
    userAuthentication === null
      ? null
      : new PasswordReplacement(userAuthentication, hasher, revocation, sessions, reportError);
  const purposeTokens = new PurposeTokens(settings, clock);
  const secondFactor =
    userAuthentication === null
      ? null
      : new SecondFactor(
          userAuthentication,
          secondFactorKeys(settings),
          settings.TOTP_ISSUER,
          throttle,
          audit,
          clock,
        );
  const loginWorkflow =
    userAuthentication === null || passwords === null || secondFactor === null
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
          sessions,
          passwords,
          secondFactor,
          purposeTokens,
        });
  const accountLifecycle =
    userAuthentication === null || passwords === null
      ? null
      : new AccountLifecycle(
          userAuthentication,
          purposeTokens,
          new MailOutbox(settings.ACCOUNT_MAIL_MAX_QUEUED, reportError),
          new AccountMailThrottle(loginLimiters, settings, throttleKeys),
          passwords,
          audit,
          revocationStore,
          throttle,
          reportError,
        );
  const transports = checkTransports(options.transports ?? ['bearer']);
  const names = cookieNames(settings.cookies);
  const cookieTransport: CookieTransportParts | null = transports.includes('cookie')
    ? cookieParts(settings, names, audit, tokens, clock)
    : null;
  const authEndpoints =
    loginWorkflow === null ||
    userAuthentication === null ||
    accountLifecycle === null ||
    secondFactor === null
      ? null
      : new AuthEndpoints(
          loginWorkflow,
          accountLifecycle,
          userAuthentication,
          tokens,
          cookieTransport,
          reportError,
          sessions,
          secondFactor,
        );
  if (userAuthentication !== null && owner === undefined) {
    bindUserAuthentication(userAuthentication, {
      loginWorkflow: () => loginWorkflow as LoginWorkflow<never>,
    });
  }
  return {
    settings,
    clock,
    revocationStore,
    sessionRegistry,
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
    requestAuthentication: new RequestAuthentication(
      revocation,
      userAuthentication,
      audit,
      new CredentialReader(transports, names.access),
      cookieTransport?.csrf ?? null,
    ),
    userAuthentication,
    loginWorkflow,
    accountLifecycle,
    sessions,
    transports,
    cookieTransport,
    authEndpoints,
  };
}

/** @throws ConfigurationError for no transport, or one that is not `bearer` or `cookie`. */
function checkTransports(transports: unknown): readonly TokenTransport[] {
  const list: readonly unknown[] = Array.isArray(transports) ? transports : [];
  const known = list.filter((t): t is TokenTransport => TOKEN_TRANSPORTS.includes(t as never));
  if (known.length === 0 || known.length !== list.length) {
    throw new ConfigurationError('transports', "must list 'bearer', 'cookie' or both");
  }
  return Object.freeze([...new Set(known)]);
}

/** @throws ConfigurationError when no origin may use the cookies (`ALLOWED_ORIGINS`). */
function cookieParts(
  settings: BaseAppSettings,
  names: CookieNames,
  audit: AuditTrail,
  tokens: TokenService,
  clock: Clock,
): CookieTransportParts {
  if (settings.cookies.allowedOrigins.length === 0) {
    throw new ConfigurationError(
      'ALLOWED_ORIGINS',
      'is required by the cookie transport: the origins of the pages that use it, e.g. https://app.example.com',
    );
  }
  return {
    csrf: new CsrfGuard(settings, audit),
    session: new CookieSession(settings.cookies, names, tokens, clock),
  };
}

/**
 * The registry beside a store: the memory one beside the memory store (one process), one on
 * the same Redis beside the Redis store. A refresh goes on only while its session is
 * registered, so instances sharing a store must share the registry.
 * @throws ConfigurationError beside any other store: give `sessionRegistry` too.
 */
function sessionRegistryOf(
  store: RevocationStore,
  given: SessionRegistry | undefined,
  clock: Clock,
): SessionRegistry {
  if (given === undefined) return defaultSessionRegistry(store, clock);
  if (store instanceof RedisRevocationStore && given instanceof MemorySessionRegistry) {
    throw new ConfigurationError(
      'sessionRegistry',
      'is in memory beside a Redis revocation store: the sessions would be lost on restart and unknown to the other instances, whose refreshes would fail; give a RedisSessionRegistry (or none: one on the same Redis is made)',
    );
  }
  return given;
}

function defaultSessionRegistry(store: RevocationStore, clock: Clock): SessionRegistry {
  if (store instanceof MemoryRevocationStore) return new MemorySessionRegistry(clock);
  if (store instanceof RedisRevocationStore) return store.sessionRegistry();
  throw new ConfigurationError(
    'sessionRegistry',
    'is required beside a revocation store of your own: the instances sharing the store must share the sessions (a refresh goes on only while its session is registered)',
  );
}

/** The second factor's keys, from `TOTP_ENCRYPTION_KEY`; none without it (production). */
function secondFactorKeys(settings: BaseAppSettings): SecondFactorKeys | null {
  const material = settings.TOTP_ENCRYPTION_KEY;
  return material === undefined
    ? null
    : { cipher: new SecretCipher(material), recovery: new RecoveryCodes(material) };
}
