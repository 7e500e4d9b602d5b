import { URI } from 'otpauth';
import type { TOTP } from 'otpauth';
import { MailingUsers } from './mailing-users';
import type { TestUser } from './memory-users';

/**
 * `MailingUsers` with a second factor: the record in `mfa`, replaced by a compare-and-set
 * on the stored user (what a `WHERE mfa IS NOT DISTINCT FROM $2` update does).
 */
export class SecondFactorUsers extends MailingUsers {
  override getSecondFactor(user: TestUser): string | null {
    return user.mfa ?? null;
  }

  override replaceSecondFactor(
    user: TestUser,
    expected: string | null,
    next: string | null,
  ): Promise<boolean> {
    const stored = [...this.users.values()].find((candidate) => candidate.id === user.id);
    if (stored === undefined || (stored.mfa ?? null) !== expected) return Promise.resolve(false);
    stored.mfa = next;
    return Promise.resolve(true);
  }

  /** The stored user with this email. */
  stored(email: string): TestUser {
    const user = this.users.get(email);
    if (user === undefined) throw new Error(`no user ${email}`);
    return user;
  }
}

/** The authenticator of an `otpauth://` URI: the code it shows at `ms`. */
export function authenticator(otpauthUrl: string): (ms: number) => string {
  const totp = URI.parse(otpauthUrl) as TOTP;
  return (ms) => totp.generate({ timestamp: ms });
}
