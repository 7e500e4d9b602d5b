import type { AuditTrail } from '../audit/audit-trail';
import type { Clock } from '../clock/clock';
import type { BaseAppSettings } from '../config/base-app-settings';
import { InvalidTokenError, TokenRevokedError } from '../errors/security-errors';
import type { RefreshTokenClaims } from '../tokens/token-claims';
import type { TokenData } from '../tokens/token-data';
import { applicationClaims } from '../tokens/token-data';
import type { TokenPair } from '../tokens/token-pair';
import type { TokenService } from '../tokens/token-service';
import { RevocationLifetimes } from './revocation-lifetimes';
import type {
  RefreshCheckOutcome,
  RefreshRotateOutcome,
  RevocationStore,
} from './revocation-store';
import type { SessionGate } from './session-gate';
import { toRefreshState } from './token-revocation-state';

/** Options of `refreshAccessToken`. */
export interface RefreshOptions {
  /**
   * Fresh claims for the new pair (e.g. the user's current roles from the database).
   * Without it the new tokens carry the refresh token's own claims. Returning `null` or
   * `undefined` (user gone or inactive) refuses the refresh. The subject is always the
   * refresh token's.
   */
  claims?: (
    refreshClaims: RefreshTokenClaims,
  ) =>
    Omit<TokenData, 'sub'> | null | undefined | Promise<Omit<TokenData, 'sub'> | null | undefined>;
  /** Where the request comes from, for the audit trail. */
  client?: { address?: string | undefined };
}

/**
 * Refresh token rotation (RFC 9700 §4.14.2): each refresh token is spent once; presenting a
 * spent one again revokes its whole family, the newest tokens included, because one of the
 * two presenters is an attacker. With a reuse interval (`REFRESH_REUSE_INTERVAL_SECONDS`),
 * the token just spent, presented again within that long, gets a new pair of the current
 * generation instead (two tabs, a retried request), and the session lives on. Of concurrent refreshes of one token exactly one wins (the
 * store's atomic rotation), and the others count as reuse. Rotation keeps the family's
 * absolute expiry and its start: a session never outlives `REFRESH_SESSION_MAX_DAYS`, and a
 * user cutoff after its start ends it, whenever its newest tokens were signed.
 *
 * The rotation is the refresh's last step: the token is checked, the new claims are looked
 * up and the new pair is signed first, then the session moves to the new generation in one
 * atomic store operation. A refresh that fails on the way (user store down: 503) has
 * changed nothing, and its retry succeeds.
 */
export class RefreshRotationService {
  private readonly lifetimes: RevocationLifetimes;
  private readonly reuseIntervalMs: number;

  constructor(
    private readonly tokens: TokenService,
    private readonly store: RevocationStore,
    settings: BaseAppSettings,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    /** The session registry's check, for refresh tokens of registered sessions. */
    private readonly sessions: SessionGate | null = null,
  ) {
    this.lifetimes = new RevocationLifetimes(settings);
    this.reuseIntervalMs = settings.REFRESH_REUSE_INTERVAL_SECONDS * 1000;
  }

  /**
   * Spends `refreshToken` and returns a new pair of the same family.
   * @throws InvalidTokenError (expired, wrong type, forged, …), TokenRevokedError (revoked,
   *   or spent before: `reason === 'refresh_reuse'`), StoreUnavailableError.
   * @example `const pair = await rotation.refreshAccessToken(body.refresh_token);`
   */
  async refreshAccessToken(refreshToken: string, options: RefreshOptions = {}): Promise<TokenPair> {
    const claims = this.tokens.verifyRefreshToken(refreshToken);
    const token = {
      ...toRefreshState(claims, this.lifetimes.familyEnd(claims)),
      reuseIntervalMs: this.reuseIntervalMs,
    };
    const event = {
      userId: claims.sub,
      familyId: claims.fam,
      jti: claims.jti,
      address: options.client?.address,
    };
    this.refuse(await this.store.checkRefreshToken(token), event);
    if (claims.fam_reg === true) {
      if (this.sessions === null) throw new TokenRevokedError('session_ended');
      await this.sessions.assertLive(claims);
    }
    const fresh = options.claims ? await options.claims(claims) : applicationClaims(claims);
    if (fresh === null || fresh === undefined)
      throw new InvalidTokenError('unknown_subject', 'sub');
    const pair = this.tokens.createTokenPair(
      { ...fresh, sub: claims.sub },
      { family: this.tokens.nextGeneration(claims) },
    );
    const next = { expiresAtMs: this.lifetimes.refreshEndFrom(this.clock.now(), claims) };
    const outcome = await this.store.rotateRefreshToken(token, next);
    this.refuse(outcome, event);
    this.audit.record({
      type: 'token_refreshed',
      ...event,
      ...(outcome === 'grace' ? { withinReuseInterval: true } : {}),
    });
    if (claims.fam_reg === true) await this.sessions?.refreshed(claims);
    return pair;
  }

  /** A token that is not the session's current one ends the refresh. */
  private refuse(
    outcome: RefreshCheckOutcome | RefreshRotateOutcome,
    event: { userId: string; familyId: string; jti: string; address: string | undefined },
  ): void {
    if (outcome === 'revoked') throw new TokenRevokedError();
    if (outcome === 'reused') {
      this.audit.record({ type: 'refresh_reuse_detected', ...event });
      throw new TokenRevokedError('refresh_reuse');
    }
  }
}
