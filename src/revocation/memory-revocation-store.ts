import type { Clock } from '../clock/clock';
import { systemClock } from '../clock/clock';
import type {
  RefreshSpendOutcome,
  RefreshSpendRequest,
  RevocationStore,
  TokenRevocationState,
} from './revocation-store';

/** How often, in clock time, expired entries are swept out. */
const SWEEP_INTERVAL_MS = 60_000;

interface UserCutoff {
  cutoffMs: number;
  expiresAtMs: number;
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
  private readonly spentRefreshTokens = new Map<string, number>();
  private readonly userCutoffs = new Map<string, UserCutoff>();
  private nextSweepMs: number;

  constructor(private readonly clock: Clock = systemClock) {
    this.nextSweepMs = clock.now() + SWEEP_INTERVAL_MS;
  }

  revokeToken(jti: string, expiresAtMs: number): Promise<void> {
    this.remember(this.revokedTokens, jti, expiresAtMs);
    return Promise.resolve();
  }

  revokeFamily(familyId: string, expiresAtMs: number): Promise<void> {
    this.remember(this.revokedFamilies, familyId, expiresAtMs);
    return Promise.resolve();
  }

  revokeUserTokens(subject: string, cutoffMs: number, expiresAtMs: number): Promise<void> {
    const now = this.tick();
    if (expiresAtMs > now) {
      const current = this.userCutoffs.get(subject);
      this.userCutoffs.set(subject, {
        cutoffMs: Math.max(cutoffMs, current?.cutoffMs ?? -Infinity),
        expiresAtMs: Math.max(expiresAtMs, current?.expiresAtMs ?? -Infinity),
      });
    }
    return Promise.resolve();
  }

  isRevoked(token: TokenRevocationState): Promise<boolean> {
    return Promise.resolve(this.revokedNow(token, this.tick()));
  }

  spendRefreshToken(token: RefreshSpendRequest): Promise<RefreshSpendOutcome> {
    const now = this.tick();
    if (this.revokedNow(token, now)) return Promise.resolve('revoked');
    if (live(this.spentRefreshTokens.get(token.jti), now)) {
      this.remember(this.revokedFamilies, token.familyId, token.familyExpiresAtMs);
      return Promise.resolve('reused');
    }
    this.remember(this.spentRefreshTokens, token.jti, token.expiresAtMs);
    return Promise.resolve('spent');
  }

  /** Entries held, live or not yet swept: for tests and the memory benchmark. */
  get size(): number {
    return (
      this.revokedTokens.size +
      this.revokedFamilies.size +
      this.spentRefreshTokens.size +
      this.userCutoffs.size
    );
  }

  /** Drops every expired entry now (it also happens by itself once a minute). */
  purgeExpired(): void {
    const now = this.clock.now();
    for (const map of [this.revokedTokens, this.revokedFamilies, this.spentRefreshTokens]) {
      for (const [key, expiresAtMs] of map) if (!live(expiresAtMs, now)) map.delete(key);
    }
    for (const [key, cutoff] of this.userCutoffs) {
      if (!live(cutoff.expiresAtMs, now)) this.userCutoffs.delete(key);
    }
    this.nextSweepMs = now + SWEEP_INTERVAL_MS;
  }

  private revokedNow(token: TokenRevocationState, now: number): boolean {
    if (live(this.revokedTokens.get(token.jti), now)) return true;
    if (token.familyId !== undefined && live(this.revokedFamilies.get(token.familyId), now)) {
      return true;
    }
    const cutoff = this.userCutoffs.get(token.subject);
    return (
      cutoff !== undefined && live(cutoff.expiresAtMs, now) && token.issuedAtMs <= cutoff.cutoffMs
    );
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
