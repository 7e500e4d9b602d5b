import type { Context, Middleware } from 'koa';
import type { Action } from 'routing-controllers';
import { useContainer } from 'routing-controllers';
import { Container } from 'typedi';
import type { Constructable, ContainerInstance } from 'typedi';

const REQUEST_CONTAINER = Symbol('fastcore.security.container');

type StateWithContainer = Record<typeof REQUEST_CONTAINER, ContainerInstance | undefined>;

/**
 * routing-controllers keeps one IoC container for the whole process. This adapter resolves
 * each controller from the container of the app that serves the request, so two apps with
 * their own containers (tests, multi-tenant servers) do not share controller instances.
 */
const perAppContainer = {
  get<T>(someClass: Constructable<T>, action?: Action): T {
    return containerOf(action?.context).get<T>(someClass);
  },
};

/**
 * The container of the secured app serving a request, else the global one. Kept on the
 * request, not on the app, so that an app mounted in another (koa-mount: its middleware runs
 * on the parent's context) still serves with its own.
 */
export function containerOf(ctx: unknown): ContainerInstance {
  const state = (ctx as Partial<Context> | undefined)?.state as
    Partial<StateWithContainer> | undefined;
  return state?.[REQUEST_CONTAINER] ?? Container.of();
}

/** The container each secured app found on the request when it set its own. */
const PREVIOUS = Symbol('fastcore.security.previous-container');

type StateWithPrevious = Record<
  typeof PREVIOUS,
  Map<ContainerInstance, ContainerInstance | undefined> | undefined
>;

/**
 * A middleware that makes `container` the one the request's controllers (and security) come
 * from, and routing-controllers' container adapter that reads it.
 */
export function requestContainer(container: ContainerInstance): Middleware {
  useContainer(perAppContainer);
  return (ctx, next) => {
    const state = ctx.state as StateWithContainer & StateWithPrevious;
    (state[PREVIOUS] ??= new Map()).set(container, state[REQUEST_CONTAINER]);
    state[REQUEST_CONTAINER] = container;
    return next();
  };
}

/**
 * The last middleware of an app mounted in another (koa-mount): a request its routes did not
 * handle goes on to the outer app's middleware with the outer app's container again.
 */
export function leaveRequestContainer(container: ContainerInstance): Middleware {
  return async (ctx, next) => {
    const state = ctx.state as StateWithContainer & StateWithPrevious;
    state[REQUEST_CONTAINER] = state[PREVIOUS]?.get(container);
    await next();
    state[REQUEST_CONTAINER] = container;
  };
}

/**
 * Controllers given as classes must be TypeDI services (`@Service()`): refused at
 * registration rather than failing on the first request.
 */
export function assertServiceControllers(controllers: readonly unknown[]): void {
  for (const controller of controllers) {
    if (typeof controller === 'function' && !Container.has(controller)) {
      throw new TypeError(
        `controller ${controller.name} must be decorated with @Service() (TypeDI)`,
      );
    }
  }
}
