import type { AddressInfo } from 'node:net';
import type { ParsedMail } from 'mailparser';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { untilTrue } from './bounded-wait';

/** A mail the SMTP server received, parsed. */
export interface ReceivedMail {
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
}

/**
 * A real SMTP server (the `smtp-server` package) on a free loopback port, for specs: it
 * accepts every mail without authentication and keeps it, parsed, in `mails`. Started and
 * stopped by the spec that needs it, never on a shared port.
 */
export class SmtpMailbox {
  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
    /** Every mail received, oldest first. */
    readonly mails: ReceivedMail[],
  ) {}

  static async start(): Promise<SmtpMailbox> {
    const received: ReceivedMail[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, done) {
        simpleParser(stream)
          .then((mail: ParsedMail) => {
            received.push({
              to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
              from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
              subject: mail.subject ?? '',
              text: mail.text ?? '',
              html: typeof mail.html === 'string' ? mail.html : '',
            });
            done();
          })
          .catch((error: Error) => done(error));
      },
    });
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    const { port } = server.server.address() as AddressInfo;
    return new SmtpMailbox(server, port, received);
  }

  /** `smtp://127.0.0.1:<port>`: what `SMTP_URL` is set to. */
  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** The mails to `address`, oldest first. */
  to(address: string): ReceivedMail[] {
    return this.mails.filter((mail) => mail.to.includes(address));
  }

  /** Waits (bounded) until `address` has received `count` mails; the last one. */
  async nth(address: string, count: number): Promise<ReceivedMail> {
    await untilTrue(`${count} mail(s) to ${address}`, () =>
      Promise.resolve(this.to(address).length >= count),
    );
    const mail = this.to(address)[count - 1];
    if (mail === undefined) throw new Error(`no mail ${count} to ${address}`);
    return mail;
  }

  /** The `token` query parameter of the first link in `mail` whose path ends with `path`. */
  static linkToken(mail: ReceivedMail, path: string): string {
    for (const match of mail.text.matchAll(/https?:\/\/\S+/g)) {
      const url = new URL(match[0]);
      const token = url.searchParams.get('token');
      if (url.pathname.endsWith(path) && token !== null) return token;
    }
    throw new Error(`no ${path} link in the mail`);
  }

  stop(): Promise<void> {
    return new Promise((closed) => this.server.close(() => closed()));
  }
}
