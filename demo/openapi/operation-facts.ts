import { getMetadataArgsStorage } from 'routing-controllers';

/** A controller class, as routing-controllers records it. */
export type ControllerClass = abstract new (...args: never[]) => unknown;

/** What the metadata says of one controller action. */
export interface OperationFacts {
  /** `undefined` when the action is public; else the roles any one of which is required (empty: any user). */
  roles: string[] | undefined;
  /** The status of an action that returns nothing (`@OnUndefined`), if set. */
  onUndefinedStatus: number | undefined;
}

/**
 * Reads routing-controllers' metadata of the given controllers' actions, keyed by the
 * OpenAPI operation id (`Controller.method`): whether `@Authorized` applies and with which
 * roles (class-level and method-level combined, as routing-controllers combines them), and
 * the `@OnUndefined` status, which routing-controllers-openapi does not read.
 */
export function operationFacts(
  controllers: readonly ControllerClass[],
): Map<string, OperationFacts> {
  const storage = getMetadataArgsStorage();
  const result = new Map<string, OperationFacts>();
  for (const action of storage.actions) {
    if (!controllers.includes(action.target as ControllerClass)) continue;
    const handlers = storage.responseHandlers.filter(
      (handler) =>
        handler.target === action.target &&
        (handler.method === undefined || handler.method === action.method),
    );
    const authorized = handlers.filter((handler) => handler.type === 'authorized');
    const onUndefined = handlers.find((handler) => handler.type === 'on-undefined');
    result.set(`${action.target.name}.${action.method}`, {
      roles:
        authorized.length === 0 ? undefined : authorized.flatMap((mark) => toRoles(mark.value)),
      onUndefinedStatus: typeof onUndefined?.value === 'number' ? onUndefined.value : undefined,
    });
  }
  return result;
}

function toRoles(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value)
    ? value.filter((role): role is string => typeof role === 'string')
    : [];
}
