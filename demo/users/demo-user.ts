import { isSecondFactorOn } from '../../src';
import { normalizeRoles } from '../../src/advanced';

/** A user as the demo stores it (the contract's `users` table). */
export interface DemoUser {
  id: number;
  email: string;
  hashed_password: string;
  roles: string[];
  is_active: boolean;
  /** The email was proven by a verification link. */
  email_verified: boolean;
  /** The second-factor record the library wrote (its TOTP secret encrypted), or none. */
  mfa: string | null;
}

/** A user to create: verified or not (not, unless said), without a second factor. */
export type NewDemoUser = Omit<DemoUser, 'id' | 'email_verified' | 'mfa'> & {
  email_verified?: boolean;
};

/** A user as the API shows it: never the hash. */
export interface PublicUser {
  id: number;
  email: string;
  roles: string[];
  is_active: boolean;
  email_verified: boolean;
  /** Logins need a code from the authenticator. */
  mfa_enabled: boolean;
}

export function toPublicUser(user: DemoUser): PublicUser {
  return {
    id: user.id,
    email: user.email,
    roles: [...normalizeRoles(user.roles)],
    is_active: user.is_active,
    email_verified: user.email_verified,
    mfa_enabled: isSecondFactorOn(user.mfa),
  };
}
