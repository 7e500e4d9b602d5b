// Run in a child with --expose-gc: heap of the in-memory revocation store before, after a
// million revocations, and after they expire and are swept.
import { MemoryRevocationStore } from '../src';
import type { Clock } from '../src';

const gc = (globalThis as { gc?: () => void }).gc;

function heapMb(): number {
  gc?.();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

async function main(): Promise<void> {
  let now = Date.now();
  const clock: Clock = { now: () => now };
  const store = new MemoryRevocationStore(clock);
  const before = heapMb();
  for (let i = 0; i < 1_000_000; i += 1) {
    await store.revokeToken(`${i.toString(36)}-0000-4000-8000-000000000000`, now + 30 * 60_000);
  }
  const full = heapMb();
  now += 31 * 60_000;
  await store.isRevoked({ jti: 'x', subject: 'y', startedAtMs: 0 });
  const swept = heapMb();
  process.send?.({ before, full, swept, entriesAfter: store.size });
}

void main();
