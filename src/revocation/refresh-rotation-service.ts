import type { AuditTrail } from '../audit/audit-trail';
import type { BaseAppSettings } from '../config/base-app-settings';
import { InvalidTokenError, TokenRevokedError } from '../errors/security-errors';
import type { RefreshTokenClaims } from '../tokens/token-claims';
import type { TokenData } from '../tokens/token-data';
import { applicationClaims } from '../tokens/token-data';
import type { TokenPair } from '../tokens/token-pair';
import type { TokenService } from '../tokens/token-service';
import { RevocationLifetimes } from './revocation-lifetimes';
import type { RevocationStore } from './revocation-store';
import { toRevocationState } from './token-revocation-state';

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
 * two presenters is an attacker. Of concurrent refreshes of one token exactly one wins (the
 * store's atomic spend), and the others count as reuse. Rotation keeps the family's absolute
 * expiry: a session never outlives `REFRESH_SESSION_MAX_DAYS`.
 */
export class RefreshRotationService {
  private readonly lifetimes: RevocationLifetimes;

  constructor(
    private readonly tokens: TokenService,
    private readonly store: RevocationStore,
    settings: BaseAppSettings,
    private readonly audit: AuditTrail,
  ) {
    this.lifetimes = new RevocationLifetimes(settings);
  }

  /**
   * Spends `refreshToken` and returns a new pair of the same family.
   * @throws InvalidTokenError (expired, wrong type, forged, …), TokenRevokedError (revoked,
   *   or spent before: `reason === 'refresh_reuse'`), StoreUnavailableError.
   * @example `const pair = await rotation.refreshAccessToken(body.refresh_token);`
   */
  async refreshAccessToken(refreshToken: string, options: RefreshOptions = {}): Promise<TokenPair> {
    const claims = this.tokens.verifyRefreshToken(refreshToken);
    const outcome = await this.store.spendRefreshToken({
      ...toRevocationState(claims),
      familyId: claims.fam,
      expiresAtMs: this.lifetimes.tokenEnd(claims.exp),
      familyExpiresAtMs: this.lifetimes.familyEnd(claims),
    });
    const event = {
      userId: claims.sub,
      familyId: claims.fam,
      jti: claims.jti,
      address: options.client?.address,
    };
    if (outcome === 'revoked') throw new TokenRevokedError();
    if (outcome === 'reused') {
      this.audit.record({ type: 'refresh_reuse_detected', ...event });
      throw new TokenRevokedError('refresh_reuse');
    }
    const fresh = options.claims ? await options.claims(claims) : applicationClaims(claims);
    if (fresh === null || fresh === undefined)
      throw new InvalidTokenError('unknown_subject', 'sub');
    this.audit.record({ type: 'token_refreshed', ...event });
    return this.tokens.createTokenPair(
      { ...fresh, sub: claims.sub },
      { family: { id: claims.fam, expiresAt: claims.fam_exp } },
    );
  }
}
