import type { AccessTokenClaims } from '../tokens/token-claims';
import type { TokenTransport } from '../transport/token-transport';

/** Who made a request: the verified token and the user it names, with that user's roles. */
export interface Principal<User = unknown> {
  /**
   * The application's user (from `BaseUserAuthentication.getUserById`), or the token's claims
   * when no user authentication is registered.
   */
  user: User;
  claims: AccessTokenClaims;
  /** The user's current roles (not those frozen in the token, when users are looked up). */
  roles: readonly string[];
  /** How the token came: the `Authorization` header or the cookie transport. */
  transport: TokenTransport;
}
