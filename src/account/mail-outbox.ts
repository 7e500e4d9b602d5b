import { AccountMailError } from '../errors/security-errors';
import type { ErrorReporter } from '../logging/error-reporter';
import type { AccountMailKind } from './account-mail';

/** A delivery to run. */
export interface OutboxTask {
  kind: AccountMailKind;
  /** Runs the lookup and the delivery; resolves when the mail is handed over (or not sent). */
  run(): Promise<void>;
  /** What an error of `run` must not quote (the token, once made): read after it failed. */
  readonly secrets: string[];
}

/**
 * Account mails on their way, off the request: a request answers as soon as its mail is
 * queued, so that how long the lookup and the delivery take tells a client nothing (whether
 * an email has an account, say). At most `maxQueued` wait at once; past it a mail is
 * dropped and reported, never queued without bound. A failed delivery is reported
 * (`account_mail_failed`) with its error's message stripped of the token.
 */
export class MailOutbox {
  private pending = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly maxQueued: number,
    private readonly reportError: ErrorReporter,
  ) {}

  /** Queues `task`; `false` (and reported) when too many are waiting. */
  send(task: OutboxTask): boolean {
    if (this.pending >= this.maxQueued) {
      this.reportError('account_mail_dropped', new AccountMailError(task.kind, 'queue_full'));
      return false;
    }
    this.pending += 1;
    void this.deliver(task);
    return true;
  }

  /** Resolves when no mail is waiting (specs, and a graceful shutdown). */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((done) => this.idleWaiters.push(done));
  }

  private async deliver(task: OutboxTask): Promise<void> {
    try {
      // A turn later: the request's answer is not held up by a delivery that starts at once.
      await new Promise<void>((next) => setImmediate(next));
      await task.run();
    } catch (error) {
      this.reportError(
        'account_mail_failed',
        new AccountMailError(task.kind, 'delivery_failed', redacted(error, task.secrets)),
      );
    } finally {
      this.pending -= 1;
      if (this.pending === 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const done of waiters) done();
      }
    }
  }
}

/** The error as an `Error` whose message and stack no longer contain any of `secrets`. */
function redacted(error: unknown, secrets: readonly string[]): Error {
  const strip = (text: string): string =>
    secrets.reduce(
      (rest, secret) => (secret === '' ? rest : rest.split(secret).join('[redacted]')),
      text,
    );
  const copy = new Error(error instanceof Error ? strip(String(error.message)) : typeof error);
  copy.name = error instanceof Error ? String(error.name) : 'NonError';
  copy.stack =
    error instanceof Error && typeof error.stack === 'string' ? strip(error.stack) : undefined;
  return copy;
}
