import { BaseUserAuthentication } from '../../src/auth/base-user-authentication';

export interface TestUser {
  id: number;
  email: string;
  hashed_password: string | null;
  roles: string[];
  is_active: boolean;
  email_verified?: boolean;
  /** The second-factor record, as the library wrote it. */
  mfa?: string | null;
}

/** A `BaseUserAuthentication` over a Map, for specs. */
export class MemoryUsers extends BaseUserAuthentication<TestUser> {
  readonly users = new Map<string, TestUser>();
  readonly upgrades: string[] = [];

  async add(email: string, password: string, extra: Partial<TestUser> = {}): Promise<TestUser> {
    const user: TestUser = {
      id: this.users.size + 1,
      email,
      hashed_password: await this.hashPassword(password),
      roles: ['user'],
      is_active: true,
      ...extra,
    };
    this.users.set(email, user);
    return user;
  }

  getUserByUsername(username: string): Promise<TestUser | undefined> {
    return Promise.resolve(this.users.get(username.toLowerCase()));
  }
  getUserById(id: string): Promise<TestUser | undefined> {
    return Promise.resolve([...this.users.values()].find((user) => String(user.id) === id));
  }
  getUserId(user: TestUser): number {
    return user.id;
  }
  getUsername(user: TestUser): string {
    return user.email;
  }

  getHashedPassword(user: TestUser): string | null {
    return user.hashed_password;
  }
  getRoles(user: TestUser): string[] {
    return user.roles;
  }
  override isActive(user: TestUser): boolean {
    return user.is_active;
  }
  override updatePasswordHash(user: TestUser, hash: string): Promise<void> {
    user.hashed_password = hash;
    this.upgrades.push(user.email);
    return Promise.resolve();
  }
}
