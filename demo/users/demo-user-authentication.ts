import type { AccountMail } from '../../src';
import { BaseUserAuthentication } from '../../src';
import type { DemoMailer } from '../mail/demo-mailer';
import type { DemoUser, PublicUser } from './demo-user';
import { toPublicUser } from './demo-user';
import type { UserStore } from './user-store';

/** The demo's user lookup over a `UserStore`: emails are case-insensitive. */
export class DemoUserAuthentication extends BaseUserAuthentication<DemoUser> {
  constructor(
    readonly store: UserStore,
    private readonly mailer?: DemoMailer,
  ) {
    super();
  }

  getUserByUsername(username: string): Promise<DemoUser | undefined> {
    return this.store.findByEmail(username.trim().toLowerCase());
  }

  getUserById(id: string): Promise<DemoUser | undefined> {
    return /^[1-9]\d{0,15}$/.test(id)
      ? this.store.findById(Number(id))
      : Promise.resolve(undefined);
  }

  getUserId(user: DemoUser): number {
    return user.id;
  }

  getUsername(user: DemoUser): string {
    return user.email;
  }

  getHashedPassword(user: DemoUser): string {
    return user.hashed_password;
  }

  getRoles(user: DemoUser): string[] {
    return user.roles;
  }

  override isActive(user: DemoUser): boolean {
    return user.is_active;
  }

  override updatePasswordHash(user: DemoUser, hash: string): Promise<void> {
    return this.store.setPasswordHash(user.id, hash);
  }

  /** One conditional write: of concurrent password changes, on any instance, one wins. */
  override replacePasswordHash(user: DemoUser, expected: string, hash: string): Promise<boolean> {
    return this.store.replacePasswordHash(user.id, expected, hash);
  }

  override isEmailVerified(user: DemoUser): boolean {
    return user.email_verified;
  }

  /** One conditional write: of two uses of one verification link, on any instance, one wins. */
  override markEmailVerified(user: DemoUser, email: string): Promise<boolean> {
    return this.store.markEmailVerified(user.id, email);
  }

  override getSecondFactor(user: DemoUser): string | null {
    return user.mfa;
  }

  /** One conditional write: a code is accepted once, whichever instance sees it first. */
  override replaceSecondFactor(
    user: DemoUser,
    expected: string | null,
    next: string | null,
  ): Promise<boolean> {
    return this.store.replaceSecondFactor(user.id, expected, next);
  }

  /** Through SMTP (`SMTP_URL`), or to the log without the token. */
  override deliverAccountMail(user: DemoUser, mail: AccountMail): Promise<void> {
    return this.mailer === undefined ? Promise.resolve() : this.mailer.send(mail, user.id);
  }

  /** The contract's user: `{"id","email","roles","is_active"}`, never the hash. */
  override publicUser(user: DemoUser): PublicUser {
    return toPublicUser(user);
  }

  /**
   * Registration (`POST /auth/register`): a user with the `user` role (roles never come
   * from a request); `undefined` when the email is taken.
   */
  override createUser(email: string, hashedPassword: string): Promise<DemoUser | undefined> {
    return this.create(email, hashedPassword, ['user']);
  }

  /**
   * Creates a user with a password and roles (the demo users).
   * @returns the user, or `undefined` when the email is taken.
   * @throws PasswordPolicyError for a password the policy refuses.
   */
  async register(email: string, password: string, roles: string[]): Promise<DemoUser | undefined> {
    return this.create(email, await this.hashPassword(password), roles);
  }

  private create(
    email: string,
    hashed_password: string,
    roles: string[],
  ): Promise<DemoUser | undefined> {
    return this.store.create({
      email: email.trim().toLowerCase(),
      hashed_password,
      roles,
      is_active: true,
      email_verified: false,
    });
  }
}
