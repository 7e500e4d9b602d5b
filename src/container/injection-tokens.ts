import { Token } from 'typedi';
import type { UserAuthentication } from '../auth/user-authentication';
import type { AccessPolicy } from '../authorization/access-policy';
import type { Clock } from '../clock/clock';
import type { BaseAppSettings } from '../config/base-app-settings';
import type { RevocationStore } from '../revocation/revocation-store';
import type { AuthEndpoints } from '../routes/auth-endpoints';
import type { SessionRegistry } from '../sessions/session-registry';
import type { LoginLimiters } from '../throttling/login-limiters';

/*
 * What a configured container holds, for controllers to inject (`@Inject(ACCESS_POLICY)`).
 * A leaf: the library's services never look these up; `configureSecurity` registers them.
 */

/** The validated settings (a `BaseAppSettings` or a subclass). */
export const SECURITY_SETTINGS = new Token<BaseAppSettings>('fastcore.security.settings');

/** The clock every service reads "now" from. */
export const SECURITY_CLOCK = new Token<Clock>('fastcore.security.clock');

/** Where revocations, user cutoffs and spent refresh tokens live. */
export const REVOCATION_STORE = new Token<RevocationStore>('fastcore.security.revocation-store');

/**
 * The configured login workflow: the application's `BaseUserAuthentication` instance, or
 * `null` when none is configured (the token's claims then stand in for the user).
 */
export const USER_AUTHENTICATION = new Token<UserAuthentication | null>(
  'fastcore.security.user-authentication',
);

/** The rate limiters of login throttling (in memory by default; Redis for many instances). */
export const LOGIN_LIMITERS = new Token<LoginLimiters>('fastcore.security.login-limiters');

/** The role hierarchy and permissions `@Authorized(...)` is checked against (default: flat roles). */
export const ACCESS_POLICY = new Token<AccessPolicy>('fastcore.security.access-policy');

/** What the auth routes (`authRoutes`) do, over the configured login workflow. */
export const AUTH_ENDPOINTS = new Token<AuthEndpoints>('fastcore.security.auth-endpoints');

/** The index of each user's sessions (in memory by default; Redis for many instances). */
export const SESSION_REGISTRY = new Token<SessionRegistry>('fastcore.security.session-registry');
