import type { DemoUserAuthentication } from './demo-user-authentication';

/** The contract's demo users. Their passwords are in the README, never in a log. */
export const DEMO_USERS = [
  { email: 'admin@example.com', password: 'admin-password', roles: ['admin'] },
  { email: 'user@example.com', password: 'user-password', roles: ['user'] },
] as const;

/**
 * Creates the demo users when the store is empty, outside production only.
 * @returns the emails created (none when the store had users or in production).
 */
export async function seedDemoUsers(
  users: DemoUserAuthentication,
  production: boolean,
): Promise<string[]> {
  if (production || (await users.store.count()) > 0) return [];
  const created: string[] = [];
  for (const { email, password, roles } of DEMO_USERS) {
    if (await users.register(email, password, [...roles])) created.push(email);
  }
  return created;
}
