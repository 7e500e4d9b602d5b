/** The `keyPrefix` option of an ioredis client (a `Redis`, a `Cluster` or a node), '' for none. */
export function clientKeyPrefix(client: unknown): string {
  const prefix = (client as { options?: { keyPrefix?: unknown } } | undefined)?.options?.keyPrefix;
  return typeof prefix === 'string' ? prefix : '';
}
