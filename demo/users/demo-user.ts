import { normalizeRoles } from '../../src/advanced';

/** A user as the demo stores it (the contract's `users` table). */
export interface DemoUser {
  id: number;
  email: string;
  hashed_password: string;
  roles: string[];
  is_active: boolean;
}

/** A user as the API shows it: never the hash. */
export interface PublicUser {
  id: number;
  email: string;
  roles: string[];
  is_active: boolean;
}

export function toPublicUser(user: DemoUser): PublicUser {
  return {
    id: user.id,
    email: user.email,
    roles: [...normalizeRoles(user.roles)],
    is_active: user.is_active,
  };
}
