// Run in a child with --expose-gc (heap measured after a full collection), one measurement
// per process, named by the first argument:
// - `revocations`: heap of the in-memory revocation store before, after a million
//   revocations, and after they expire and are swept;
// - `rotations`: heap and entries of the store before and after one session is rotated
//   BENCH_ROTATIONS times (generation 0, 1, 2, …, each once, a new jti each);
// - `refreshes`: the same through `RefreshRotationService.refreshAccessToken` (verify, sign a
//   new pair, rotate), BENCH_REFRESHES times;
// - `logins`: one user logging in BENCH_LOGINS times past MAX_SESSIONS_PER_USER, the clock 10 s
//   on each time: heap and entries (revocation store and session registry) after half of them
//   and after all.
import { randomUUID } from 'node:crypto';
import { BaseAppSettings, BaseUserAuthentication, MemoryRevocationStore } from '../src';
import type { MemorySessionRegistry } from '../src';
import type { Clock } from '../src';
import { createSecurity } from '../src/advanced';
import type { RefreshTokenState } from '../src/advanced';
import { BENCH_SECRET } from './servers/bench-server-protocol';

const gc = (globalThis as { gc?: () => void }).gc;
const DAY_MS = 24 * 3600_000;

function heapMb(): number {
  gc?.();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

/** What a rotation measurement reports. */
export interface SessionMemory {
  heapBefore: number;
  entriesBefore: number;
  heapAfter: number;
  entriesAfter: number;
  /** Wall time per rotation or refresh, µs. */
  usEach: number;
}

async function revocations(): Promise<void> {
  let now = Date.now();
  const clock: Clock = { now: () => now };
  const store = new MemoryRevocationStore(clock);
  const before = heapMb();
  for (let i = 0; i < 1_000_000; i += 1) {
    await store.revokeToken(
      'u',
      `${i.toString(36)}-0000-4000-8000-000000000000`,
      now + 30 * 60_000,
    );
  }
  const full = heapMb();
  now += 31 * 60_000;
  await store.isRevoked({ jti: 'x', subject: 'y', startedAtMs: 0 });
  const swept = heapMb();
  process.send?.({ before, full, swept, entriesAfter: store.size });
}

/**
 * `count` rotations of one session in `store`, each checked then rotated as a refresh does,
 * the clock one millisecond on each time (so the once-a-minute sweep runs along).
 */
async function rotate(store: MemoryRevocationStore, clock: { ms: number }, count: number) {
  const familyId = randomUUID();
  const startedAtMs = clock.ms;
  const familyExpiresAtMs = startedAtMs + 30 * DAY_MS;
  for (let generation = 0; generation < count; generation += 1) {
    clock.ms += 1;
    const token: RefreshTokenState = {
      jti: `${generation.toString(36)}-0000-4000-8000-000000000000`,
      subject: '42',
      startedAtMs,
      familyId,
      generation,
      familyExpiresAtMs,
    };
    if ((await store.checkRefreshToken(token)) !== 'current') throw new Error('not current');
    const outcome = await store.rotateRefreshToken(token, { expiresAtMs: clock.ms + 7 * DAY_MS });
    if (outcome !== 'rotated') throw new Error(`rotation ${generation}: ${outcome}`);
  }
}

async function rotations(count: number): Promise<SessionMemory> {
  const clock = { ms: Date.now() };
  await rotate(new MemoryRevocationStore({ now: () => clock.ms }), clock, 10_000); // warm-up
  const store = new MemoryRevocationStore({ now: () => clock.ms });
  return measured(store, count, () => rotate(store, clock, count));
}

/** Heap and entries of `store` before and after `run` (`count` operations), and time each. */
async function measured(
  store: { readonly size: number },
  count: number,
  run: () => Promise<void>,
): Promise<SessionMemory> {
  const heapBefore = heapMb();
  const entriesBefore = store.size;
  const started = process.hrtime.bigint();
  await run();
  const elapsed = Number(process.hrtime.bigint() - started) / 1000;
  return {
    heapBefore,
    entriesBefore,
    heapAfter: heapMb(),
    entriesAfter: store.size,
    usEach: elapsed / count,
  };
}

async function refreshes(count: number): Promise<SessionMemory> {
  const settings = new BaseAppSettings({ SECRET_KEY: BENCH_SECRET, NODE_ENV: 'production' });
  const session = async (security: ReturnType<typeof createSecurity>, n: number) => {
    let pair = security.tokens.createTokenPair({ sub: '42', roles: ['user'] });
    for (let i = 0; i < n; i += 1)
      pair = await security.rotation.refreshAccessToken(pair.refresh_token);
  };
  await session(createSecurity({ settings }), 2_000); // warm-up
  const security = createSecurity({ settings });
  const store = security.revocationStore as MemoryRevocationStore;
  return measured(store, count, () => session(security, count));
}

/** One user, whose password hash is made once. */
class OneUser extends BaseUserAuthentication<{ id: number; hash: string }> {
  user = { id: 42, hash: '' };
  getUserByUsername() {
    return Promise.resolve(this.user);
  }
  getUserById() {
    return Promise.resolve(this.user);
  }
  getUserId(user: { id: number }) {
    return user.id;
  }
  getUsername() {
    return 'loop@example.com';
  }
  getHashedPassword(user: { hash: string }) {
    return user.hash;
  }
  getRoles() {
    return ['user'];
  }
}

async function logins(count: number): Promise<SessionMemory> {
  let now = Date.now();
  const clock: Clock = { now: () => now };
  const settings = new BaseAppSettings({
    SECRET_KEY: BENCH_SECRET,
    BCRYPT_ROUNDS: '4',
    MAX_SESSIONS_PER_USER: '5',
    LOGIN_MAX_ATTEMPTS: '1000',
  });
  const users = new OneUser();
  const security = createSecurity({ settings, clock, userAuthentication: users });
  users.user.hash = await users.hashPassword('loop-password');
  const store = security.revocationStore as MemoryRevocationStore;
  const registry = security.sessionRegistry as MemorySessionRegistry;
  const loop = async (n: number) => {
    for (let i = 0; i < n; i += 1) {
      await users.login('loop@example.com', 'loop-password', { address: '192.0.2.1' });
      now += 10_000;
    }
  };
  await loop(count / 2);
  const entries = {
    get size() {
      return store.size + registry.size;
    },
  };
  return measured(entries, count / 2, () => loop(count / 2));
}

async function main(): Promise<void> {
  const mode = process.argv[2];
  if (mode === 'rotations') process.send?.(await rotations(Number(process.env['BENCH_ROTATIONS'])));
  else if (mode === 'refreshes')
    process.send?.(await refreshes(Number(process.env['BENCH_REFRESHES'])));
  else if (mode === 'logins') process.send?.(await logins(Number(process.env['BENCH_LOGINS'])));
  else await revocations();
}

void main();
