/**
 * Polls `check` until it holds, at most `attempts` times `every` milliseconds apart, then
 * throws naming `what`. For real processes changing state (a server starting, a failover):
 * never for a clock-based rule under test, which takes an injected clock instead.
 */
export async function untilTrue(
  what: string,
  check: () => Promise<boolean>,
  { attempts = 100, every = 100 }: { attempts?: number; every?: number } = {},
): Promise<void> {
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    if (await check().catch(() => false)) return;
    await new Promise((next) => setTimeout(next, every));
  }
  throw new Error(`${what}: not so after ${attempts} attempts`);
}
