import Router from '@koa/router';
import type Koa from 'koa';
import { KoaDriver, createServer } from 'routing-controllers';
import type { RoutingControllersOptions } from 'routing-controllers';
import { Container } from 'typedi';
import type { ContainerInstance } from 'typedi';
import type { SecurityOptions } from '../container/security-container';
import { configureSecurity } from '../container/security-container';
import { bodyParsing } from './body-parsing';
import { useAppContainer } from './controller-container';
import type { ErrorLayerOptions } from './error-layer';
import { securityErrorLayer } from './error-layer';
import { createAuthorizationChecker, createCurrentUserChecker } from './security-checkers';

/** Options of `configureApp`. */
export interface ConfigureAppOptions extends SecurityOptions, ErrorLayerOptions {
  /** The routing-controllers controllers: `@Service()` classes, or globs. */
  controllers: NonNullable<RoutingControllersOptions['controllers']>;
  /** Prefix of every route, e.g. `/api`. */
  routePrefix?: string;
  /** Largest JSON or form body accepted; larger is 413. Default `"16kb"`. Bodies must be objects. */
  bodyLimit?: string;
  /** The container to configure and resolve controllers from. Default: the global one. */
  container?: ContainerInstance;
  /** Further routing-controllers options (middlewares, interceptors, …); ours win on conflict. */
  routingControllers?: Omit<RoutingControllersOptions, 'controllers'>;
}

/**
 * The original module's `configure_app`: one call that wires settings, container, checkers,
 * error layer, body parsing and controllers onto a Koa app. When several routes match a
 * path, the most specific one (fewest parameters) handles it, whatever the controllers' order.
 *
 * @example
 * ```ts
 * const app = new Koa();
 * configureApp(app, { controllers: [AuthController, UserController], userAuthentication: new Users() });
 * app.listen(3000);
 * ```
 *
 * Equivalent manual wiring, for applications that bootstrap routing-controllers themselves:
 * `configureSecurity(...)`, `app.use(securityErrorLayer())` first, then
 * `useKoaServer(app, { authorizationChecker, currentUserChecker, defaultErrorHandler: false })`.
 */
export function configureApp(app: Koa, options: ConfigureAppOptions): Koa {
  const container = options.container ?? Container.of();
  useAppContainer(app, container, options.controllers);
  configureSecurity(options, container);
  app.use(securityErrorLayer(options));
  app.use(bodyParsing(options.bodyLimit ?? '16kb'));
  // Our router instance: without it routing-controllers uses its own nested @koa/router.
  // 'specificity': of the routes a path matches, only the one with the fewest parameters runs
  // (GET /users/me, not /users/:id, whatever the order of the controllers), instead of
  // every match's layer running up to routing-controllers' "first one only" guard.
  createServer(new KoaDriver(app, new Router({ exclusive: 'specificity' })), {
    ...options.routingControllers,
    controllers: options.controllers,
    ...(options.routePrefix === undefined ? {} : { routePrefix: options.routePrefix }),
    authorizationChecker: createAuthorizationChecker(container),
    currentUserChecker: createCurrentUserChecker(container),
    // Errors go to securityErrorLayer: routing-controllers' handler would copy every field of
    // an error, and its stack outside production, into the response.
    defaultErrorHandler: false,
    classTransformer: true,
    validation: {
      whitelist: true,
      forbidUnknownValues: true,
      validationError: { target: false, value: false },
    },
  });
  return app;
}
