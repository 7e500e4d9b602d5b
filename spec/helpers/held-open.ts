import { createHook } from 'node:async_hooks';

/** How long the process may take to exit after the last spec before it is a defect. */
const EXIT_GRACE_MS = 30_000;

/** The timers alive now, as async_hooks saw them made (mocha's own included). */
const timers = new Map<number, NodeJS.Timeout>();

/**
 * A spec run that ends while something still holds the process open (a client reconnecting
 * for ever, a timer never cleared) would hang `npm test` and CI without a word. Once the
 * run is over, this waits `EXIT_GRACE_MS` (unref'd: it holds nothing itself), then names
 * what is left (the timers' callbacks, the kinds of handles) and fails the run.
 */
export function failWhenHeldOpen(): { afterAll: () => void } {
  createHook({
    init(id, type, _trigger, resource) {
      if (type === 'Timeout') timers.set(id, resource as NodeJS.Timeout);
    },
    destroy(id) {
      timers.delete(id);
    },
  }).enable();
  return {
    afterAll() {
      setTimeout(() => {
        const held = [...timers.values()].filter((timer) => timer.hasRef());
        const lines = held.map(
          (timer) =>
            `  a timer of ${String((timer as unknown as { _idleTimeout?: number })._idleTimeout)} ms: ${String((timer as unknown as { _onTimeout?: unknown })._onTimeout).slice(0, 300)}`,
        );
        process.stderr.write(
          `the specs are done, yet the process is held open ${EXIT_GRACE_MS} ms later by ${JSON.stringify(process.getActiveResourcesInfo())}\n${lines.join('\n')}\n`,
        );
        process.exit(1);
      }, EXIT_GRACE_MS).unref();
    },
  };
}
