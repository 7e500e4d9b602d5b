import type { BaseAppSettings } from '../config/base-app-settings';
import { MAX_CLOCK_AHEAD_MS } from '../tokens/clock-lead';
import type { TokenClaims } from '../tokens/token-claims';

/**
 * How long revocation entries must be kept: as long as a token they concern could still be
 * accepted (its expiry plus the clock leeway). Computed once from settings.
 */
export class RevocationLifetimes {
  private readonly leewayMs: number;
  private readonly accessMs: number;
  private readonly longestTokenMs: number;
  private readonly sessionSeconds: number;
  private readonly refreshMs: number;

  constructor(settings: BaseAppSettings) {
    this.leewayMs = settings.JWT_LEEWAY_SECONDS * 1000;
    this.accessMs = settings.accessTokenLifetimeSeconds * 1000;
    this.sessionSeconds = settings.refreshSessionLifetimeSeconds;
    this.refreshMs = settings.refreshTokenLifetimeSeconds * 1000;
    this.longestTokenMs =
      Math.max(settings.accessTokenLifetimeSeconds, settings.refreshTokenLifetimeSeconds) * 1000;
  }

  /** Until when a revoked token (with `exp` in seconds) could still be presented. */
  tokenEnd(exp: number): number {
    return exp * 1000 + this.leewayMs;
  }

  /**
   * Until when any token of the token's refresh family could be presented. A refresh token
   * carries the family's end (`fam_exp`); an access token does not, and the longest a family
   * can live from the token's issue time bounds it.
   */
  familyEnd(claims: TokenClaims): number {
    const familyExp =
      typeof claims['fam_exp'] === 'number' ? claims['fam_exp'] : claims.iat + this.sessionSeconds;
    return familyExp * 1000 + this.accessMs + this.leewayMs;
  }

  /**
   * Until when a refresh token signed at `nowMs` in the refresh token's family could be
   * presented: its lifetime (or the family's end, when sooner) plus the leeway.
   */
  refreshEndFrom(nowMs: number, claims: TokenClaims): number {
    // One second more: a token signed within the same second may round up to it.
    return Math.min(nowMs + 1000 + this.refreshMs + this.leewayMs, this.familyEnd(claims));
  }

  /**
   * Until when any token of a session whose absolute end is `sessionEndMs` could be
   * presented: `familyEnd` for a session known by its record rather than by a token.
   */
  sessionTokensEnd(sessionEndMs: number): number {
    return sessionEndMs + this.accessMs + this.leewayMs;
  }

  /**
   * Until when the access tokens of a session ended at `nowMs` could be presented, when its
   * refresh tokens are refused by other means (the session registry): an access token's life,
   * signed by a refresh in flight on a clock ahead, plus the leeway.
   */
  accessTokensEnd(nowMs: number): number {
    return nowMs + this.accessMs + this.leewayMs + MAX_CLOCK_AHEAD_MS;
  }

  /**
   * Until when a user cutoff must be kept: as long as any session it ended could still go on
   * (its tokens may be signed after the cutoff, on a clock ahead, or while it lands), so the
   * whole session lifetime after it, plus an access token's life, the leeway and the
   * clock lead a token may have.
   */
  cutoffEnd(cutoffMs: number): number {
    return (
      cutoffMs +
      Math.max(this.longestTokenMs, this.sessionSeconds * 1000 + this.accessMs) +
      this.leewayMs +
      MAX_CLOCK_AHEAD_MS
    );
  }
}
