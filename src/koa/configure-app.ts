import Router from '@koa/router';
import type Koa from 'koa';
import { KoaDriver, createServer } from 'routing-controllers';
import type { RoutingControllersOptions } from 'routing-controllers';
import { Container } from 'typedi';
import type { ContainerInstance } from 'typedi';
import type { SecurityOptions } from '../security/security-options';
import { configureSecurity, securityOf } from '../security/configure-security';
import { assertAuthRoutesServed } from '../routes/auth-routes-requirements';
import { assertServiceControllers, leaveRequestContainer } from './controller-container';
import type { SecureServerOptions } from './routing-controllers-options';
import { routingControllersOptions } from './routing-controllers-options';

/** Options of `configureApp`. */
export interface ConfigureAppOptions extends SecurityOptions, SecureServerOptions {
  /** The routing-controllers controllers: `@Service()` classes, or globs. */
  controllers: NonNullable<RoutingControllersOptions['controllers']>;
  /** Prefix of every route, e.g. `/api`. */
  routePrefix?: string;
  /** The container to configure and resolve controllers from. Default: the global one. */
  container?: ContainerInstance;
  /** Further routing-controllers options (middlewares, interceptors, …); ours win on conflict. */
  routingControllers?: Omit<RoutingControllersOptions, 'controllers'>;
}

/**
 * The original module's `configure_app`: one call that wires settings, container, checkers,
 * error layer, body parsing and controllers onto a Koa app. Security options may be given
 * here, to an earlier `configureSecurity` on the same container, or split between the two;
 * the services are built here, from all of them. When several routes match a path, the most
 * specific one (fewest parameters) handles it, whatever the controllers' order.
 *
 * @example
 * ```ts
 * const app = new Koa();
 * configureApp(app, { controllers: [AuthController, UserController], userAuthentication: new Users() });
 * app.listen(3000);
 * ```
 */
export function configureApp(app: Koa, options: ConfigureAppOptions): Koa {
  const container = options.container ?? Container.of();
  assertServiceControllers(options.controllers);
  configureSecurity(options, container);
  assertAuthRoutesServed(
    options.controllers,
    () => securityOf(container).authEndpoints,
    options.routePrefix,
  );
  const secured = routingControllersOptions(app, { ...options, container });
  // Our router instance: without it routing-controllers uses its own nested @koa/router.
  // 'specificity': of the routes a path matches, only the one with the fewest parameters runs
  // (GET /users/me, not /users/:id, whatever the order of the controllers), instead of
  // every match's layer running up to routing-controllers' "first one only" guard.
  createServer(new KoaDriver(app, new Router({ exclusive: 'specificity' })), {
    ...options.routingControllers,
    controllers: options.controllers,
    ...(options.routePrefix === undefined ? {} : { routePrefix: options.routePrefix }),
    ...secured,
  });
  app.use(leaveRequestContainer(container));
  return app;
}
