import type { AuditTrail } from '../audit/audit-trail';
import type { LoginClient } from '../auth/login-client';
import type { PasswordReplacement } from '../auth/password-replacement';
import type { UserAdapter } from '../auth/user-adapter';
import { InvalidAccountTokenError } from '../errors/security-errors';
import type { ErrorReporter } from '../logging/error-reporter';
import type { RevocationStore } from '../revocation/revocation-store';
import type { AccountMailThrottle } from '../throttling/account-mail-throttle';
import { throttlingAddress } from '../throttling/client-address';
import type { LoginThrottle } from '../throttling/login-throttle';
import type { AccountMail, AccountMailKind } from './account-mail';
import type { MailOutbox, OutboxTask } from './mail-outbox';
import type { PurposeTokens } from './purpose-tokens';

/** What a verification token is bound to: the email, as the adapter gives it. */
const emailState = (email: string): string => email;

/**
 * What a reset token is bound to: the password hash and the email it was sent to, so that it
 * dies with a new password and with a new email (a link in a mailbox the user moved away from).
 */
const resetState = (hash: string, email: string): string => `${hash}\0${email}`;

/**
 * Email verification and password reset around the application's users: links with
 * single-use, short-lived tokens bound to the state they act on, mailed through the
 * adapter's `deliverAccountMail`, off the request.
 *
 * - A verification token names the email it was sent to: it verifies nothing once the email
 *   changed, and is spent by the adapter's `markEmailVerified` (a compare-and-set).
 * - A reset token is bound to the password hash of when it was sent: it dies with any change
 *   of the password, its own use included, which is the adapter's `replacePasswordHash` (a
 *   compare-and-set): of two uses of one link, on any instance, one wins. A reset ends every
 *   session and token of the user.
 * - "Forgot password" answers the same for every email: the lookup and the mail happen
 *   after the answer, and the throttle counts the typed email whether it has an account or not.
 */
export class AccountLifecycle<User> {
  constructor(
    private readonly users: UserAdapter<User>,
    private readonly tokens: PurposeTokens,
    private readonly outbox: MailOutbox,
    private readonly throttle: AccountMailThrottle,
    private readonly passwords: PasswordReplacement<User>,
    private readonly audit: AuditTrail,
    /** Where a used verification link is marked spent (the instances share it). */
    private readonly spent: RevocationStore,
    private readonly loginThrottle: LoginThrottle,
    private readonly reportError: ErrorReporter,
  ) {}

  /** Whether the adapter can verify emails (`markEmailVerified` and `deliverAccountMail`). */
  get canVerifyEmail(): boolean {
    return (
      typeof this.users.markEmailVerified === 'function' &&
      typeof this.users.deliverAccountMail === 'function'
    );
  }

  /** Whether the adapter can mail reset links (`deliverAccountMail`). */
  get canResetPassword(): boolean {
    return typeof this.users.deliverAccountMail === 'function';
  }

  /**
   * Mails the user a verification link for the current email, unless it is verified already
   * or has no email (then nothing is sent: the answer is the same).
   * @throws TooManyAttemptsError past `ACCOUNT_MAIL_MAX_PER_ADDRESS` for the client's address.
   */
  async requestEmailVerification(user: User, client: LoginClient = {}): Promise<void> {
    const sender = client.address;
    const userId = String(this.users.getUserId(user));
    const email = this.users.getEmail(user);
    if (typeof email !== 'string' || email === '' || this.users.isEmailVerified(user)) return;
    if (!(await this.throttle.allows(client, `verify\0${userId}`))) return;
    this.queue('verify_email', sender, (secrets) =>
      this.mail(user, userId, 'verify_email', email, emailState(email), secrets),
    );
  }

  /**
   * Verifies the email a verification token was sent to, if it is still the user's and not
   * verified yet.
   * @throws InvalidAccountTokenError for any other token (400 `invalid_token`).
   */
  async verifyEmail(token: unknown, client: LoginClient = {}): Promise<void> {
    const claims = this.tokens.verify(token, 'verify_email');
    // Used once already (an app that clears the flag when the email changes, and the email
    // changed back): refused. Also refused after a logout everywhere or a password change.
    const standing = { jti: claims.jti, subject: claims.sub, startedAtMs: claims.iat_ms };
    if (await this.spent.isRevoked(standing)) throw new InvalidAccountTokenError('spent');
    const user = await this.users.getActiveUserById(claims.sub);
    const email = user === null ? undefined : this.users.getEmail(user);
    if (
      user === null ||
      typeof email !== 'string' ||
      this.users.isEmailVerified(user) ||
      !this.tokens.isBoundTo(claims, emailState(email))
    ) {
      throw new InvalidAccountTokenError('superseded');
    }
    const verify = this.users.markEmailVerified?.bind(this.users);
    if (verify === undefined || !(await verify(user, email))) {
      throw new InvalidAccountTokenError('superseded');
    }
    this.audit.record({ type: 'email_verified', userId: claims.sub, address: client.address });
    // The email is verified: a store failure now is reported, not answered (the flag is what
    // keeps a second use out meanwhile).
    await this.spent
      .revokeToken(claims.sub, claims.jti, claims.exp * 1000)
      .catch((error: unknown) => {
        this.reportError('account_link_not_spent', error);
      });
  }

  /**
   * "Forgot password": mails a reset link to the account with this email, if there is an
   * active one, after the answer. Answers the same whether there is or not.
   * @throws TooManyAttemptsError past `ACCOUNT_MAIL_MAX_PER_ADDRESS` for the client's address.
   */
  async forgotPassword(email: string, client: LoginClient = {}): Promise<void> {
    this.audit.record({ type: 'password_reset_requested', address: client.address });
    if (!(await this.throttle.allows(client, `reset\0${this.users.loginNameKey(email)}`))) return;
    this.queue('reset_password', client.address, async (secrets) => {
      const user = await this.users.getUserByEmail(email);
      if (user === null || user === undefined || !this.users.isActive(user)) return;
      const hash = this.users.getHashedPassword(user);
      const to = this.users.getEmail(user);
      if (typeof hash !== 'string' || typeof to !== 'string' || to === '') return;
      const userId = String(this.users.getUserId(user));
      await this.mail(user, userId, 'reset_password', to, resetState(hash, to), secrets);
    });
  }

  /**
   * Sets a new password with a reset token, if the password did not change since it was sent;
   * every older token and session of the user ends.
   * @throws InvalidAccountTokenError for any other token; PasswordPolicyError for a new
   *   password the policy refuses (nothing changed then).
   */
  async resetPassword(
    token: unknown,
    newPassword: string,
    client: LoginClient = {},
  ): Promise<void> {
    const claims = this.tokens.verify(token, 'reset_password');
    const userId = claims.sub;
    await this.passwords.inTurnOf(userId, async () => {
      const user = await this.users.getActiveUserById(userId);
      const hash = user === null ? undefined : this.users.getHashedPassword(user);
      const email = user === null ? undefined : this.users.getEmail(user);
      if (
        user === null ||
        typeof hash !== 'string' ||
        typeof email !== 'string' ||
        !this.tokens.isBoundTo(claims, resetState(hash, email))
      ) {
        throw new InvalidAccountTokenError('superseded');
      }
      if (!(await this.passwords.replace(user, userId, hash, newPassword))) {
        throw new InvalidAccountTokenError('superseded');
      }
      this.audit.record({ type: 'password_reset', userId, address: client.address });
      // The new password is in force and the link dead: a failure from here on is not the
      // client's to retry. Every older session ended before the hash was stored; the second
      // cutoff is tried again by itself, and the address is told apart from strangers' later.
      await this.passwords.endSessionsStartedMeanwhile(userId).catch(() => undefined);
      const username = this.users.loginNameKey(this.users.getUsername(user));
      await this.loginThrottle
        .proven({ username, address: client.address })
        .catch((error: unknown) => this.reportError('password_reset_unthrottle_failed', error));
    });
  }

  /** Resolves when no account mail is waiting for delivery. */
  idle(): Promise<void> {
    return this.outbox.idle();
  }

  private queue(
    kind: AccountMailKind,
    address: string | undefined,
    run: (secrets: string[]) => Promise<void>,
  ): void {
    const secrets: string[] = [];
    const task: OutboxTask = { kind, secrets, run: () => run(secrets) };
    this.outbox.send(task, address === undefined ? undefined : throttlingAddress(address));
  }

  /** Issues the token and hands the mail to the adapter (its promise is the delivery's). */
  private mail(
    user: User,
    userId: string,
    kind: AccountMailKind,
    to: string,
    state: string,
    secrets: string[],
  ): Promise<void> {
    const issued = this.tokens.issue(kind, userId, state);
    // Mail servers quote the recipient in their errors: neither goes in a report.
    secrets.push(issued.token, to);
    const mail: AccountMail = { kind, to, token: issued.token, expiresAt: issued.expiresAt };
    const deliver = this.users.deliverAccountMail?.bind(this.users);
    if (deliver === undefined) return Promise.resolve();
    return deliver(user, mail).then(() =>
      this.audit.record({ type: 'account_mail_sent', kind, userId }),
    );
  }
}
