import type { Context } from 'koa';
import { createParamDecorator } from 'routing-controllers';
import { securityOf } from '../security/configure-security';
import { containerOf } from './controller-container';

/**
 * Injects the request's `Principal` (verified claims, user, roles) into a controller action,
 * for actions that need the token itself (logout) and not only the user. Anonymous requests
 * get a 401. Uses the verification already done by the checkers for this request.
 *
 * @example
 * ```ts
 * @Authorized() @Post('/auth/logout') @OnUndefined(204)
 * async logout(@CurrentPrincipal() principal: Principal<User>) { … }
 * ```
 */
export function CurrentPrincipal(): (object: object, method: string, index: number) => void {
  return createParamDecorator({
    value: (action) => {
      const ctx = action.context as Context;
      return securityOf(containerOf(ctx)).requestAuthentication.requirePrincipal(ctx);
    },
  });
}
