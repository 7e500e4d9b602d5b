import type Koa from 'koa';
import type { RoutingControllersOptions } from 'routing-controllers';
import { Container } from 'typedi';
import type { ContainerInstance } from 'typedi';
import { ConfigurationError } from '../errors/security-errors';
import { securityOf } from '../security/configure-security';
import { bodyParsing } from './body-parsing';
import { requestContainer } from './controller-container';
import type { ErrorLayerOptions } from './error-layer';
import { securityErrorLayer } from './error-layer';
import { createAuthorizationChecker, createCurrentUserChecker } from './security-checkers';

/** Options of `routingControllersOptions`. */
export interface SecureServerOptions extends ErrorLayerOptions {
  /** The configured container. Default: the global one. */
  container?: ContainerInstance;
  /** Largest JSON or form body accepted; larger is 413. Default `"16kb"`. Bodies must be objects. */
  bodyLimit?: string;
  /**
   * Deepest nesting of objects and arrays accepted in a JSON or form body (the body itself is
   * depth 1); deeper is 400 `invalid_request`, before class-transformer sees it. Default 32.
   */
  maxBodyDepth?: number;
}

/** What `routingControllersOptions` returns: spread it into `useKoaServer`'s options. */
export type SecureRoutingControllersOptions = Required<
  Pick<
    RoutingControllersOptions,
    | 'authorizationChecker'
    | 'currentUserChecker'
    | 'defaultErrorHandler'
    | 'classTransformer'
    | 'validation'
  >
>;

const SECURED = Symbol('fastcore.security.secured-app');

/**
 * Secures a Koa app for routing-controllers, for applications that call `useKoaServer`
 * themselves (`configureApp` does all of it in one call). Builds the container's security
 * now (after this, configuring it further throws), puts the error layer first in the app's
 * middleware whatever was registered before, makes routing-controllers resolve controllers
 * from `container`, adds body parsing (for the routes registered after it: call it right
 * before `useKoaServer`), and returns the options to spread:
 * the checkers, `defaultErrorHandler: false` (errors go to the error layer: routing-controllers'
 * handler would copy an error's fields and stack into the response), class-transformer and
 * whitelisting validation.
 *
 * @example
 * ```ts
 * configureSecurity({ settings, userAuthentication });
 * useKoaServer(app, { controllers, ...routingControllersOptions(app) });
 * ```
 * @throws ConfigurationError when the app is already secured, or (for a container other than
 *   the global one) when the container was not configured.
 */
export function routingControllersOptions(
  app: Koa,
  options: SecureServerOptions = {},
): SecureRoutingControllersOptions {
  const container = options.container ?? Container.of();
  const marked = app as unknown as Record<typeof SECURED, boolean | undefined>;
  if (marked[SECURED] === true) {
    throw new ConfigurationError(
      'app',
      'is already secured: call configureApp or routingControllersOptions once per app',
    );
  }
  // Built first: a bad option throws before the app is changed.
  const parseBodies = bodyParsing(options.bodyLimit ?? '16kb', options.maxBodyDepth);
  const security = securityOf(container);
  marked[SECURED] = true;
  // First, whatever the app registered before: every error of every layer is answered by it,
  // and every request knows its container. Body parsing goes here, before routing-controllers'
  // routes only: routes the app registered before keep their raw bodies.
  app.middleware.unshift(
    securityErrorLayer(options, security.reportError),
    requestContainer(container),
  );
  app.use(parseBodies);
  return {
    authorizationChecker: createAuthorizationChecker(container),
    currentUserChecker: createCurrentUserChecker(container),
    defaultErrorHandler: false,
    classTransformer: true,
    validation: {
      whitelist: true,
      forbidUnknownValues: true,
      validationError: { target: false, value: false },
    },
  };
}
