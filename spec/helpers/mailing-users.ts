import type { AccountMail } from '../../src/account/account-mail';
import { RegisteringUsers } from './cookie-app';
import type { TestUser } from './memory-users';

/** A mail the users' delivery was handed, with the user it was for. */
export interface SentMail extends AccountMail {
  userId: number;
}

/**
 * `RegisteringUsers` with the account lifecycle's parts: a verified flag, its
 * compare-and-set, and a delivery that keeps every mail in `outbox` (or runs `deliver`,
 * when a spec sets it: a slow or failing mail server).
 */
export class MailingUsers extends RegisteringUsers {
  readonly outbox: SentMail[] = [];
  deliver: ((mail: SentMail) => Promise<void>) | undefined;

  override isEmailVerified(user: TestUser): boolean {
    return user.email_verified === true;
  }

  override markEmailVerified(user: TestUser, email: string): Promise<boolean> {
    const stored = [...this.users.values()].find((candidate) => candidate.id === user.id);
    if (stored === undefined || stored.email !== email || stored.email_verified === true) {
      return Promise.resolve(false);
    }
    stored.email_verified = true;
    return Promise.resolve(true);
  }

  override async deliverAccountMail(user: TestUser, mail: AccountMail): Promise<void> {
    const sent = { ...mail, userId: user.id };
    if (this.deliver !== undefined) await this.deliver(sent);
    this.outbox.push(sent);
  }

  /** The token of the last mail of `kind` to `to`. */
  lastToken(kind: AccountMail['kind'], to: string): string {
    const mail = this.outbox.filter((m) => m.kind === kind && m.to === to).at(-1);
    if (mail === undefined) throw new Error(`no ${kind} mail to ${to}`);
    return mail.token;
  }
}
