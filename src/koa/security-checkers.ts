import type { Context } from 'koa';
import type { Action } from 'routing-controllers';
import { Container } from 'typedi';
import type { ContainerInstance } from 'typedi';
import { ConfigurationError } from '../errors/security-errors';
import type { Security } from '../security/security';
import { securityOf } from '../security/configure-security';
import { hasErrorLayer } from './error-layer';

/** routing-controllers' `authorizationChecker` signature. */
export type AuthorizationChecker = (action: Action, roles: string[]) => Promise<boolean>;
/** routing-controllers' `currentUserChecker` signature. */
export type CurrentUserChecker = (action: Action) => Promise<unknown>;

/**
 * A container's security, built on first use and kept: the hot path does no look-ups. A
 * request that did not pass through `securityErrorLayer` is refused (fail closed): without
 * it, a 401 would reach routing-controllers' handler and leave as a 500.
 */
function lazySecurity(container: ContainerInstance): (ctx: Context) => Security {
  let security: Security | undefined;
  return (ctx) => {
    if (!hasErrorLayer(ctx)) {
      throw new ConfigurationError(
        'securityErrorLayer',
        'is not installed: spread routingControllersOptions(app) into useKoaServer, or use configureApp',
      );
    }
    return (security ??= securityOf(container));
  };
}

/**
 * An `authorizationChecker` bound to a container's security. routing-controllers turns a
 * `false` into 403 when roles are required, even for an anonymous caller, so every token
 * problem throws (401 through the error layer) and only a role mismatch answers `false` (403).
 * `roles` are the class-level and method-level requirements combined, each a role or a
 * permission of the configured `AccessPolicy`; any one of them suffices.
 */
export function createAuthorizationChecker(
  container: ContainerInstance = Container.of(),
): AuthorizationChecker {
  const security = lazySecurity(container);
  return async (action, roles) => {
    const ctx = action.context as Context;
    const { requestAuthentication: authentication, accessPolicy } = security(ctx);
    const principal = await authentication.requirePrincipal(ctx);
    if (accessPolicy.allows(principal.roles, roles)) return true;
    authentication.recordDenied(ctx, 'insufficient_scope', principal);
    return false;
  };
}

/**
 * A `currentUserChecker` bound to a container's security: the verified user, `undefined` for
 * an anonymous request (so `@CurrentUser({ required: true })` answers 401), and a thrown 401
 * for a bad token: never a decoded-but-unverified user.
 */
export function createCurrentUserChecker(
  container: ContainerInstance = Container.of(),
): CurrentUserChecker {
  const security = lazySecurity(container);
  return async (action) => {
    const ctx = action.context as Context;
    const principal = await security(ctx).requestAuthentication.principal(ctx);
    return principal?.user;
  };
}

let globalCheckers: [AuthorizationChecker, CurrentUserChecker] | undefined;

/** The global container's checkers, made on first use and kept (not one per request). */
function onGlobalContainer(): [AuthorizationChecker, CurrentUserChecker] {
  return (globalCheckers ??= [createAuthorizationChecker(), createCurrentUserChecker()]);
}

/**
 * The checkers on the global container. Prefer spreading `routingControllersOptions(app)`,
 * which also installs the error layer and body parsing and sets the controllers' container.
 */
export const authorizationChecker: AuthorizationChecker = (action, roles) =>
  onGlobalContainer()[0](action, roles);

export const currentUserChecker: CurrentUserChecker = (action) => onGlobalContainer()[1](action);
