// Every @Service class imports its tokens from here, so this polyfill is loaded before any
// decorator runs: typedi reads constructor types through Reflect.getMetadata. Idempotent,
// and shared with the application's own copy.
import 'reflect-metadata';
import { Token } from 'typedi';
import type { AccessPolicy } from '../authorization/access-policy';
import type { Clock } from '../clock/clock';
import type { BaseAppSettings } from '../config/base-app-settings';
import type { RevocationStore } from '../revocation/revocation-store';
import type { BaseUserAuthentication } from '../auth/base-user-authentication';
import type { LoginLimiters } from '../throttling/login-limiters';

/** The validated settings (a `BaseAppSettings` or a subclass). */
export const SECURITY_SETTINGS = new Token<BaseAppSettings>('fastcore.security.settings');

/** The clock every service reads "now" from; tests put a frozen one here. */
export const SECURITY_CLOCK = new Token<Clock>('fastcore.security.clock');

/** Where revocations, user cutoffs and spent refresh tokens live. */
export const REVOCATION_STORE = new Token<RevocationStore>('fastcore.security.revocation-store');

/**
 * The application's user lookup. When registered, each authenticated request loads its user
 * (so a deactivated or demoted user loses access on the next request); when absent, the
 * token's claims stand in for the user (the default, `null`).
 */
export const USER_AUTHENTICATION = new Token<BaseUserAuthentication<unknown> | null>(
  'fastcore.security.user-authentication',
);

/** The rate limiters of login throttling (in memory by default; Redis for many instances). */
export const LOGIN_LIMITERS = new Token<LoginLimiters>('fastcore.security.login-limiters');

/** The role hierarchy and permissions `@Authorized(...)` is checked against (default: flat roles). */
export const ACCESS_POLICY = new Token<AccessPolicy>('fastcore.security.access-policy');
