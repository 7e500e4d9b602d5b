import type { AccessTokenClaims } from '../tokens/token-claims';
import type { LoginOutcome } from '../mfa/second-factor-challenge';
import type { TokenPair } from '../tokens/token-pair';
import type { LoginClient } from './login-client';

/**
 * The configured login workflow, as controllers use it: what `@Inject(USER_AUTHENTICATION)`
 * gives (the application's `BaseUserAuthentication` subclass, once configured).
 */
export interface UserAuthentication<User = unknown> {
  /** @throws SecondFactorRequiredError for a user with a second factor: use `beginLogin`. */
  login(username: string, password: string, client?: LoginClient): Promise<TokenPair>;
  /** The token pair, or the second step's challenge for a user with a second factor. */
  beginLogin(username: string, password: string, client?: LoginClient): Promise<LoginOutcome>;
  /** The second step: the challenge of `beginLogin` and a code give the token pair. */
  verifySecondFactor(challenge: string, code: string, client?: LoginClient): Promise<TokenPair>;
  refresh(refreshToken: string, client?: LoginClient): Promise<TokenPair>;
  logout(access: AccessTokenClaims, refreshToken?: unknown, client?: LoginClient): Promise<void>;
  logoutAll(user: User, client?: LoginClient): Promise<void>;
  changePassword(
    user: User,
    currentPassword: string,
    newPassword: string,
    client?: LoginClient,
  ): Promise<void>;
  authenticateUser(username: string, password: string, client?: LoginClient): Promise<User | null>;
  /** A bcrypt hash of a new password at the configured cost (registration, admin tools). */
  hashPassword(password: string): Promise<string>;
  getActiveUserById(id: string): Promise<User | null>;
  getRoles(user: User): readonly string[];
}
