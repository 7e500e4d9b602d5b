import type Koa from 'koa';
import type { Action } from 'routing-controllers';
import { useContainer } from 'routing-controllers';
import { Container } from 'typedi';
import type { Constructable, ContainerInstance } from 'typedi';

const APP_CONTAINER = Symbol('fastcore.security.container');

type ContextWithContainer = Record<typeof APP_CONTAINER, ContainerInstance | undefined>;

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

/** The container of the app serving a request (`configureApp`'s), else the global one. */
export function containerOf(ctx: unknown): ContainerInstance {
  const context = ctx as Partial<ContextWithContainer> | undefined;
  return context?.[APP_CONTAINER] ?? Container.of();
}

/** Makes `container` the one controllers (and the security) of `app`'s requests come from. */
export function useAppContainer(app: Koa, container: ContainerInstance): void {
  (app.context as unknown as ContextWithContainer)[APP_CONTAINER] = container;
  useContainer(perAppContainer);
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
