import type { AccountMail } from '../../src';

/** A mail as the demo sends it: plain text. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/** The page that takes each kind of link's token (`/app/verify-email?token=…`). */
const LINK_PATHS: Readonly<Record<AccountMail['kind'], string>> = {
  verify_email: '/app/verify-email',
  reset_password: '/app/reset-password',
};

const SUBJECTS: Readonly<Record<AccountMail['kind'], string>> = {
  verify_email: 'Verify your email address',
  reset_password: 'Reset your password',
};

/** The link of an account mail: the page at `appUrl`, the token as the `token` parameter. */
export function accountMailLink(mail: AccountMail, appUrl: string): string {
  const link = new URL(LINK_PATHS[mail.kind], appUrl);
  link.searchParams.set('token', mail.token);
  return link.href;
}

/** The mail the demo sends for an account mail: the link, and when it stops working. */
export function accountMailMessage(mail: AccountMail, appUrl: string): MailMessage {
  const ignore =
    mail.kind === 'reset_password'
      ? 'If you did not ask to reset your password, ignore this mail: your password stays as it is.'
      : 'If you did not ask for this, ignore this mail.';
  return {
    to: mail.to,
    subject: SUBJECTS[mail.kind],
    text: [
      `${SUBJECTS[mail.kind]}: open this link.`,
      '',
      accountMailLink(mail, appUrl),
      '',
      `The link works once, until ${mail.expiresAt.toISOString()}.`,
      ignore,
      '',
    ].join('\n'),
  };
}
