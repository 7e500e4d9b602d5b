import type { Clock } from '../clock/clock';
import type { BaseAppSettings } from '../config/base-app-settings';
import { TokenRevokedError } from '../errors/security-errors';
import type { AccessTokenClaims, TokenClaims } from '../tokens/token-claims';
import type { RefreshFamily } from '../tokens/token-pair';
import type { TokenService } from '../tokens/token-service';
import { RevocationLifetimes } from './revocation-lifetimes';
import type { RevocationStore } from './revocation-store';
import { toRevocationState } from './token-revocation-state';

/**
 * Revokes tokens and answers whether a verified token is still good. Token verification
 * plus one store read: `verifyAccessToken` is what a protected request calls.
 */
export class RevocationService {
  private readonly lifetimes: RevocationLifetimes;

  constructor(
    private readonly tokens: TokenService,
    private readonly store: RevocationStore,
    settings: BaseAppSettings,
    private readonly clock: Clock,
  ) {
    this.lifetimes = new RevocationLifetimes(settings);
  }

  /**
   * Verifies an access token and checks that it is not revoked.
   * @throws InvalidTokenError (or its subclasses: expired, revoked, wrong type)
   * @throws StoreUnavailableError when the store cannot answer: never "valid" unchecked.
   */
  async verifyAccessToken(token: string): Promise<AccessTokenClaims> {
    const claims = this.tokens.verifyAccessToken(token);
    await this.assertNotRevoked(claims);
    return claims;
  }

  /** @throws TokenRevokedError when the token, its family or its user's tokens are revoked. */
  async assertNotRevoked(claims: TokenClaims): Promise<void> {
    if (await this.store.isRevoked(toRevocationState(claims))) throw new TokenRevokedError();
  }

  /**
   * Revokes one token (access or refresh) of ours until it would have expired. An expired
   * token is a no-op; a token we did not sign throws `InvalidTokenError`.
   * @example `await revocation.revokeToken(accessToken); // logout`
   */
  async revokeToken(token: string): Promise<void> {
    await this.revokeJti(this.tokens.verify(token, undefined, true));
  }

  /**
   * Ends a verified token's session: the whole refresh family when it belongs to one (every
   * access and refresh token of that login, by one entry), else the token.
   */
  async revokeClaims(claims: TokenClaims): Promise<void> {
    // The family's entry covers every token of it: one entry per session ended, not one
    // per token as well.
    if (claims.fam === undefined) await this.revokeJti(claims);
    else await this.store.revokeFamily(claims.sub, claims.fam, this.lifetimes.familyEnd(claims));
  }

  /**
   * Revokes every token `userId` holds now (logout-all, password change, deactivation):
   * exact to the millisecond, and tokens this process issues afterwards, even within the
   * same millisecond, stay valid.
   */
  async revokeAllUserTokens(userId: string | number): Promise<void> {
    const subject = String(userId);
    if (subject === '' || (typeof userId !== 'string' && typeof userId !== 'number')) {
      throw new TypeError('userId must be a non-empty string or a number');
    }
    const cutoffMs = this.tokens.takeRevocationCutoff();
    await this.store.revokeUserTokens(subject, cutoffMs, this.lifetimes.cutoffEnd(cutoffMs));
  }

  /**
   * Starts a login session: a new refresh family with the store's session epoch, to be taken
   * *before* the credentials are checked. A user cutoff (password change, logout-all) that
   * commits afterwards, on any instance, ends it, whatever the instances' clocks say.
   * @throws StoreUnavailableError when the store does not answer.
   * @example `const family = await revocation.startSession(); … tokens.createTokenPair(data, { family })`
   */
  async startSession(): Promise<RefreshFamily> {
    return this.tokens.startFamily(await this.store.sessionEpoch());
  }

  /** Revokes one token until it would have expired; an expired one is a no-op. */
  private async revokeJti(claims: TokenClaims): Promise<void> {
    const end = this.lifetimes.tokenEnd(claims.exp);
    if (end > this.clock.now()) await this.store.revokeToken(claims.sub, claims.jti, end);
  }
}
