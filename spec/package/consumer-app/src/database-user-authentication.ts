import { BaseUserAuthentication } from '@fastcore/security';
import type { User } from './users';
import { userTable } from './users';

/** The README's `DatabaseUserAuthentication`, over the in-memory user table. */
export class DatabaseUserAuthentication extends BaseUserAuthentication<User> {
  getUserByUsername(username: string): Promise<User | undefined> {
    const name = username.trim().toLowerCase();
    return Promise.resolve([...userTable.values()].find((user) => user.username === name));
  }

  getUserById(id: string): Promise<User | undefined> {
    return Promise.resolve(userTable.get(id));
  }

  getUserId(user: User): string {
    return user.id;
  }

  getUsername(user: User): string {
    return user.username;
  }

  getHashedPassword(user: User): string {
    return user.hashed_password;
  }

  getRoles(user: User): string[] {
    return user.roles;
  }

  override isActive(user: User): boolean {
    return user.is_active;
  }

  override getSecondFactor(user: User): string | null {
    return user.mfa ?? null;
  }

  /** The README's compare-and-set, over the in-memory table. */
  override replaceSecondFactor(
    user: User,
    expected: string | null,
    next: string | null,
  ): Promise<boolean> {
    const stored = userTable.get(user.id);
    if (stored === undefined || (stored.mfa ?? null) !== expected) return Promise.resolve(false);
    userTable.set(user.id, { ...stored, mfa: next });
    return Promise.resolve(true);
  }

  override updatePasswordHash(user: User, hash: string): Promise<void> {
    userTable.set(user.id, { ...user, hashed_password: hash });
    return Promise.resolve();
  }
}
