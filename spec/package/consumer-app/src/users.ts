/** The application's user record, as its database would hold it. */
export interface User {
  id: string;
  username: string;
  hashed_password: string;
  roles: string[];
  is_active: boolean;
  /** The second-factor record the library wrote (README, The second factor), or none. */
  mfa?: string | null;
}

/** What `GET /users/me` shows of a user: never the hash. */
export interface PublicUser {
  id: string;
  username: string;
  roles: string[];
}

/** The user table, in memory: one user, whose bcrypt hash the environment gives. */
export const userTable = new Map<string, User>();

const seedHash = process.env['SEED_USER_HASH'];
if (seedHash !== undefined) {
  userTable.set('1', {
    id: '1',
    username: process.env['SEED_USER_NAME'] ?? 'ada@example.com',
    hashed_password: seedHash,
    roles: ['user'],
    is_active: true,
  });
}

export function toPublicUser(user: User): PublicUser {
  return { id: user.id, username: user.username, roles: [...user.roles] };
}
