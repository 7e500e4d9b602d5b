import type { Context } from 'koa';
import type { Action } from 'routing-controllers';
import { Container } from 'typedi';
import type { ContainerInstance } from 'typedi';
import type { AccessPolicy } from '../authorization/access-policy';
import { ACCESS_POLICY } from '../container/injection-tokens';
import { withSecurityDefaults } from '../container/security-container';
import { RequestAuthentication } from './request-authentication';

/** routing-controllers' `authorizationChecker` signature. */
export type AuthorizationChecker = (action: Action, roles: string[]) => Promise<boolean>;
/** routing-controllers' `currentUserChecker` signature. */
export type CurrentUserChecker = (action: Action) => Promise<unknown>;

/**
 * The container's `RequestAuthentication` and `AccessPolicy`, resolved on first use and
 * kept: the hot path does no container look-ups. (Configure the container before the
 * first request.)
 */
function checkerServices(
  container: ContainerInstance,
): () => { authentication: RequestAuthentication; policy: AccessPolicy } {
  let resolved: { authentication: RequestAuthentication; policy: AccessPolicy } | undefined;
  return () =>
    (resolved ??= {
      authentication: withSecurityDefaults(container).get(RequestAuthentication),
      policy: container.get(ACCESS_POLICY),
    });
}

/**
 * An `authorizationChecker` bound to a container. routing-controllers turns a `false` into
 * 403 when roles are required, even for an anonymous caller, so every token problem throws
 * (401 through the error layer) and only a role mismatch answers `false` (403).
 * `roles` are the class-level and method-level requirements combined, each a role or a
 * permission of the container's `AccessPolicy`; any one of them suffices.
 */
export function createAuthorizationChecker(
  container: ContainerInstance = Container.of(),
): AuthorizationChecker {
  const resolve = checkerServices(container);
  return async (action, roles) => {
    const ctx = action.context as Context;
    const { authentication, policy } = resolve();
    const principal = await authentication.requirePrincipal(ctx);
    if (policy.allows(principal.roles, roles)) return true;
    authentication.recordDenied(ctx, 'insufficient_scope', principal);
    return false;
  };
}

/**
 * A `currentUserChecker` bound to a container: the verified user, `undefined` for an
 * anonymous request (so `@CurrentUser({ required: true })` answers 401), and a thrown 401
 * for a bad token: never a decoded-but-unverified user.
 */
export function createCurrentUserChecker(
  container: ContainerInstance = Container.of(),
): CurrentUserChecker {
  const resolve = checkerServices(container);
  return async (action) => {
    const principal = await resolve().authentication.principal(action.context as Context);
    return principal?.user;
  };
}

let globalCheckers: [AuthorizationChecker, CurrentUserChecker] | undefined;

/** The global container's checkers, made on first use and kept (not one per request). */
function onGlobalContainer(): [AuthorizationChecker, CurrentUserChecker] {
  return (globalCheckers ??= [createAuthorizationChecker(), createCurrentUserChecker()]);
}

/**
 * The checkers on the global container, ready for
 * `useKoaServer(app, { authorizationChecker, currentUserChecker, … })`.
 */
export const authorizationChecker: AuthorizationChecker = (action, roles) =>
  onGlobalContainer()[0](action, roles);

export const currentUserChecker: CurrentUserChecker = (action) => onGlobalContainer()[1](action);
