import type { Redis } from 'ioredis';

/** How many times each of `nodes` has run `command` so far (`INFO commandstats`). */
export function commandCalls(nodes: readonly Redis[], command: string): Promise<number[]> {
  const pattern = new RegExp(`cmdstat_${command.toLowerCase()}:calls=(\\d+)`);
  return Promise.all(
    nodes.map(async (node) => Number(pattern.exec(await node.info('commandstats'))?.[1] ?? 0)),
  );
}
