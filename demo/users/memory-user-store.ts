import type { DemoUser, NewDemoUser } from './demo-user';
import type { UserStore } from './user-store';

/** Users in a Map: the embedded default. Copies go in and out, as from a database. */
export class MemoryUserStore implements UserStore {
  private readonly byId = new Map<number, DemoUser>();
  private nextId = 1;

  findByEmail(email: string): Promise<DemoUser | undefined> {
    return Promise.resolve(copy([...this.byId.values()].find((user) => user.email === email)));
  }

  findById(id: number): Promise<DemoUser | undefined> {
    return Promise.resolve(copy(this.byId.get(id)));
  }

  async create(user: NewDemoUser): Promise<DemoUser | undefined> {
    if (await this.findByEmail(user.email)) return undefined;
    const created: DemoUser = {
      email_verified: false,
      ...copy(user),
      mfa: null,
      id: this.nextId++,
    };
    this.byId.set(created.id, created);
    return copy(created);
  }

  setPasswordHash(id: number, hash: string): Promise<void> {
    const user = this.byId.get(id);
    if (user) user.hashed_password = hash;
    return Promise.resolve();
  }

  replacePasswordHash(id: number, expected: string, hash: string): Promise<boolean> {
    const user = this.byId.get(id);
    if (user === undefined || user.hashed_password !== expected) return Promise.resolve(false);
    user.hashed_password = hash;
    return Promise.resolve(true);
  }

  markEmailVerified(id: number, email: string): Promise<boolean> {
    const user = this.byId.get(id);
    if (user === undefined || user.email !== email || user.email_verified) {
      return Promise.resolve(false);
    }
    user.email_verified = true;
    return Promise.resolve(true);
  }

  replaceSecondFactor(id: number, expected: string | null, next: string | null): Promise<boolean> {
    const user = this.byId.get(id);
    if (user === undefined || user.mfa !== expected) return Promise.resolve(false);
    user.mfa = next;
    return Promise.resolve(true);
  }

  /** For specs and admin tooling: change a user as a database UPDATE would. */
  update(id: number, changes: Partial<Omit<DemoUser, 'id'>>): void {
    const user = this.byId.get(id);
    if (user) Object.assign(user, changes);
  }

  list(): Promise<DemoUser[]> {
    return Promise.resolve([...this.byId.values()].map(copy));
  }

  count(): Promise<number> {
    return Promise.resolve(this.byId.size);
  }
}

/**
 * A copy with its own roles array. A malformed roles value (null, a string) is kept as it
 * is, as a database would return it: the library must cope with it.
 */
function copy<T extends NewDemoUser | undefined>(user: T): T {
  if (user === undefined) return user;
  return { ...user, roles: Array.isArray(user.roles) ? [...user.roles] : user.roles };
}
