import nodemailer from 'nodemailer';
import type { AccountMail } from '../../src';
import type { DemoSettings } from '../config/demo-settings';
import type { Logger } from '../logging/json-logger';
import { accountMailMessage } from './account-mail-message';

/** How the demo hands over account mails: to an SMTP server, or to the log without the token. */
export interface DemoMailer {
  send(mail: AccountMail, userId: number): Promise<void>;
  /** Closes the SMTP connections. */
  close(): void;
}

/** The sender of the demo's mails. */
const FROM = 'fastcore demo <no-reply@fastcore.invalid>';

/**
 * Bounds of the SMTP client: a pool of two connections, and a mail server that does not
 * answer gives up in seconds (the library's outbox holds at most `ACCOUNT_MAIL_MAX_QUEUED`
 * mails meanwhile).
 */
const SMTP_LIMITS = {
  pool: true,
  maxConnections: 2,
  connectionTimeout: 5_000,
  greetingTimeout: 5_000,
  socketTimeout: 10_000,
} as const;

/**
 * With `SMTP_URL`, mails through nodemailer to that server; without it, a log line notes each
 * mail not sent (its kind and user, never its token or address).
 */
export function demoMailer(settings: DemoSettings, logger: Logger): DemoMailer {
  const url = settings.SMTP_URL;
  if (url === undefined) {
    return {
      send: (mail, userId) => {
        logger.info('mail_not_sent', {
          kind: mail.kind,
          userId,
          message: 'SMTP_URL is not set: the mail is not sent',
        });
        return Promise.resolve();
      },
      close: () => undefined,
    };
  }
  const transport = nodemailer.createTransport({ url, ...SMTP_LIMITS });
  return {
    send: async (mail) => {
      await transport.sendMail({ from: FROM, ...accountMailMessage(mail, settings.APP_URL) });
    },
    close: () => transport.close(),
  };
}
