import { ConfigurationError } from '../errors/security-errors';
import type { AuthEndpoints } from './auth-endpoints';
import { SECOND_FACTOR_NEEDS } from '../mfa/second-factor';

/** What the controllers made by `authRoutes` need of the configuration. */
export interface AuthRoutesRequirements {
  cookies: boolean;
  registration: boolean;
  emailVerification: boolean;
  passwordReset: boolean;
  secondFactor: boolean;
  /** The refresh cookie's `Path`: the refresh route's path as a browser requests it. */
  refreshCookiePath: string;
}

/** Where `authRoutes` marks its controllers with their requirements. */
export const AUTH_ROUTES_REQUIREMENTS = Symbol('fastcore.security.auth-routes');

/**
 * Refuses, at start, auth routes the configuration cannot serve: the cookie routes without
 * the cookie transport (or with a refresh cookie `Path` outside the `routePrefix`),
 * registration without `createUser`, any of them without a user authentication.
 * @throws ConfigurationError
 */
export function assertAuthRoutesServed(
  controllers: readonly unknown[],
  endpoints: () => AuthEndpoints | null,
  routePrefix = '',
): void {
  for (const controller of controllers) {
    if (typeof controller !== 'function') continue;
    const needs = (controller as unknown as Record<symbol, AuthRoutesRequirements | undefined>)[
      AUTH_ROUTES_REQUIREMENTS
    ];
    if (needs === undefined) continue;
    const served = endpoints();
    if (served === null) {
      throw new ConfigurationError(
        'userAuthentication',
        'is required by the auth routes (authRoutes): give your BaseUserAuthentication subclass',
      );
    }
    if (needs.cookies && !served.hasCookies) {
      throw new ConfigurationError(
        'transports',
        "must include 'cookie' for authRoutes({ cookies: true })",
      );
    }
    if (
      needs.cookies &&
      routePrefix !== '' &&
      !needs.refreshCookiePath.startsWith(`${routePrefix}/`)
    ) {
      throw new ConfigurationError(
        'refreshCookiePath',
        'must be the refresh route as the browser requests it: with a routePrefix, give authRoutes({ refreshCookiePath }) the full path (routePrefix included)',
      );
    }
    if (needs.emailVerification && !served.canVerifyEmail) {
      throw new ConfigurationError(
        'markEmailVerified',
        'and deliverAccountMail must be implemented by the user authentication for authRoutes({ emailVerification: true })',
      );
    }
    if (needs.passwordReset && !served.canResetPassword) {
      throw new ConfigurationError(
        'deliverAccountMail',
        'must be implemented by the user authentication for authRoutes({ passwordReset: true })',
      );
    }
    const missing = needs.secondFactor ? served.secondFactorMissing : null;
    if (missing !== null) {
      throw new ConfigurationError(
        missing,
        `${SECOND_FACTOR_NEEDS[missing]}, as authRoutes({ secondFactor: true }) needs`,
      );
    }
    if (needs.registration && !served.canRegister) {
      throw new ConfigurationError(
        'createUser',
        'must be implemented by the user authentication for authRoutes({ registration: true })',
      );
    }
  }
}
