import type { Clock } from '../clock/clock';
import { systemClock } from '../clock/clock';
import type {
  NextGeneration,
  RefreshCheckOutcome,
  RefreshRotateOutcome,
  RefreshTokenState,
  RevocationStore,
  TokenRevocationState,
} from './revocation-store';

/** How often, in clock time, expired entries are swept out. */
const SWEEP_INTERVAL_MS = 60_000;

interface UserCutoff {
  cutoffMs: number;
  /** Sessions with a lower epoch are over. */
  epoch: number;
  expiresAtMs: number;
}

/** A session's current refresh generation. */
interface SessionGeneration {
  generation: number;
  expiresAtMs: number;
  /** When the rotation to this generation happened. */
  rotatedAtMs: number;
}

/**
 * The in-process store: the default, correct for one process. Each method runs to the end
 * without awaiting, so every operation is atomic within the process. Expired entries are
 * swept at most once a minute of clock time, on the next call, so memory stays bounded by
 * the revocations of one token lifetime.
 *
 * Not shared between processes and lost on restart: use a Redis store for more than one.
 */
export class MemoryRevocationStore implements RevocationStore {
  private readonly revokedTokens = new Map<string, number>();
  private readonly revokedFamilies = new Map<string, number>();
  /** Per refreshed session: one entry, whatever the number of refreshes. */
  private readonly generations = new Map<string, SessionGeneration>();
  private readonly userCutoffs = new Map<string, UserCutoff>();
  private nextSweepMs: number;
  /** The session epoch: only grows (see `RevocationStore.sessionEpoch`). */
  private epoch = 0;

  constructor(private readonly clock: Clock = systemClock) {
    this.nextSweepMs = clock.now() + SWEEP_INTERVAL_MS;
  }

  revokeToken(_subject: string, jti: string, expiresAtMs: number): Promise<void> {
    this.remember(this.revokedTokens, jti, expiresAtMs);
    return Promise.resolve();
  }

  revokeFamily(_subject: string, familyId: string, expiresAtMs: number): Promise<void> {
    this.remember(this.revokedFamilies, familyId, expiresAtMs);
    return Promise.resolve();
  }

  revokeUserTokens(subject: string, cutoffMs: number, expiresAtMs: number): Promise<void> {
    const now = this.tick();
    // Past every epoch handed out so far: it only ever grows, whatever the clock does.
    this.epoch = Math.max(this.epoch + 1, now + 1);
    if (expiresAtMs > now) {
      const current = this.userCutoffs.get(subject);
      this.userCutoffs.set(subject, {
        cutoffMs: Math.max(cutoffMs, current?.cutoffMs ?? -Infinity),
        epoch: Math.max(this.epoch, current?.epoch ?? -Infinity),
        expiresAtMs: Math.max(expiresAtMs, current?.expiresAtMs ?? -Infinity),
      });
    }
    return Promise.resolve();
  }

  sessionEpoch(): Promise<number> {
    this.epoch = Math.max(this.epoch, this.clock.now());
    return Promise.resolve(this.epoch);
  }

  isRevoked(token: TokenRevocationState): Promise<boolean> {
    return Promise.resolve(this.revokedNow(token, this.tick()));
  }

  checkRefreshToken(token: RefreshTokenState): Promise<RefreshCheckOutcome> {
    return Promise.resolve(this.standing(token, this.tick()));
  }

  rotateRefreshToken(
    token: RefreshTokenState,
    next: NextGeneration,
  ): Promise<RefreshRotateOutcome> {
    const now = this.tick();
    const standing = this.standing(token, now);
    if (standing !== 'current') return Promise.resolve(standing);
    if (next.expiresAtMs > now) {
      this.generations.set(token.familyId, {
        generation: token.generation + 1,
        expiresAtMs: next.expiresAtMs,
        rotatedAtMs: now,
      });
    }
    return Promise.resolve('rotated');
  }

  /** Entries held, live or not yet swept: for tests and the memory benchmark. */
  get size(): number {
    return (
      this.revokedTokens.size +
      this.revokedFamilies.size +
      this.generations.size +
      this.userCutoffs.size
    );
  }

  /** Drops every expired entry now (it also happens by itself once a minute). */
  purgeExpired(): void {
    const now = this.clock.now();
    for (const map of [this.revokedTokens, this.revokedFamilies]) {
      for (const [key, expiresAtMs] of map) if (!live(expiresAtMs, now)) map.delete(key);
    }
    for (const map of [this.userCutoffs, this.generations]) {
      for (const [key, entry] of map) if (!live(entry.expiresAtMs, now)) map.delete(key);
    }
    this.nextSweepMs = now + SWEEP_INTERVAL_MS;
  }

  private revokedNow(token: TokenRevocationState, now: number): boolean {
    if (live(this.revokedTokens.get(token.jti), now)) return true;
    if (token.familyId !== undefined && live(this.revokedFamilies.get(token.familyId), now)) {
      return true;
    }
    const cutoff = this.userCutoffs.get(token.subject);
    if (cutoff === undefined || !live(cutoff.expiresAtMs, now)) return false;
    return token.sessionEpoch !== undefined
      ? token.sessionEpoch < cutoff.epoch
      : token.startedAtMs <= cutoff.cutoffMs;
  }

  /**
   * A refresh token's standing: its session's current generation is the one remembered, or
   * 0 for a session never rotated. The generation just spent, within the reuse interval of
   * its rotation, is grace; an older generation is reuse (the family is revoked); a newer one
   * means the session's state was lost, and is refused.
   */
  private standing(token: RefreshTokenState, now: number): RefreshCheckOutcome {
    if (this.revokedNow(token, now)) return 'revoked';
    const stored = this.generations.get(token.familyId);
    const entry = stored !== undefined && live(stored.expiresAtMs, now) ? stored : undefined;
    const current = entry?.generation ?? 0;
    if (token.generation === current) return 'current';
    if (token.generation > current) return 'revoked';
    const interval = token.reuseIntervalMs ?? 0;
    if (
      entry !== undefined &&
      interval > 0 &&
      token.generation === current - 1 &&
      now - entry.rotatedAtMs <= interval
    ) {
      return 'grace';
    }
    this.remember(this.revokedFamilies, token.familyId, token.familyExpiresAtMs);
    return 'reused';
  }

  private remember(map: Map<string, number>, key: string, expiresAtMs: number): void {
    const now = this.tick();
    if (expiresAtMs > now) map.set(key, Math.max(expiresAtMs, map.get(key) ?? -Infinity));
  }

  /** The current time, sweeping first when a sweep is due. */
  private tick(): number {
    const now = this.clock.now();
    if (now >= this.nextSweepMs) this.purgeExpired();
    return now;
  }
}

function live(expiresAtMs: number | undefined, now: number): boolean {
  return expiresAtMs !== undefined && expiresAtMs > now;
}
