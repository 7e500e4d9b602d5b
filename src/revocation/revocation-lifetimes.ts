import type { BaseAppSettings } from '../config/base-app-settings';

/**
 * How long revocation entries must be kept: as long as a token they concern could still be
 * accepted (its expiry plus the clock leeway). Computed once from settings.
 */
export class RevocationLifetimes {
  private readonly leewayMs: number;
  private readonly accessMs: number;
  private readonly longestTokenMs: number;

  constructor(settings: BaseAppSettings) {
    this.leewayMs = settings.JWT_LEEWAY_SECONDS * 1000;
    this.accessMs = settings.accessTokenLifetimeSeconds * 1000;
    this.longestTokenMs =
      Math.max(settings.accessTokenLifetimeSeconds, settings.refreshTokenLifetimeSeconds) * 1000;
  }

  /** Until when a revoked token (with `exp` in seconds) could still be presented. */
  tokenEnd(exp: number): number {
    return exp * 1000 + this.leewayMs;
  }

  /** Until when an access token of a family ending at `familyExp` (seconds) could be presented. */
  familyEnd(familyExp: number): number {
    return familyExp * 1000 + this.accessMs + this.leewayMs;
  }

  /** Until when a token issued at or before `cutoffMs` could be presented. */
  cutoffEnd(cutoffMs: number): number {
    return cutoffMs + this.longestTokenMs + this.leewayMs;
  }
}
