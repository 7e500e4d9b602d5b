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

/** The share of the waiting mails one client address may hold. */
const PER_SENDER_SHARE = 10;

/**
 * Account mails on their way, off the request: a request answers as soon as its mail is
 * queued, so that how long the lookup and the delivery take tells a client nothing (whether
 * an email has an account, say). At most `maxQueued` wait at once, and at most a tenth of
 * them from one client address (so that one address with a slow mail server cannot crowd
 * out everyone's mail); past either a mail is dropped and reported, never queued without
 * bound. A failed delivery is reported (`account_mail_failed`) with its error's message
 * stripped of the token and the address.
 */
export class MailOutbox {
  private pending = 0;
  private readonly pendingBySender = new Map<string, number>();
  private idleWaiters: (() => void)[] = [];
  private readonly maxPerSender: number;

  constructor(
    private readonly maxQueued: number,
    private readonly reportError: ErrorReporter,
  ) {
    this.maxPerSender = Math.max(1, Math.floor(maxQueued / PER_SENDER_SHARE));
  }

  /**
   * Queues `task` asked for by `sender` (a client address as throttling counts it); `false`
   * (and reported) when too many are waiting, in all or from that sender.
   */
  send(task: OutboxTask, sender?: string): boolean {
    const fromSender = sender === undefined ? 0 : (this.pendingBySender.get(sender) ?? 0);
    if (this.pending >= this.maxQueued || fromSender >= this.maxPerSender) {
      this.reportError('account_mail_dropped', new AccountMailError(task.kind, 'queue_full'));
      return false;
    }
    this.pending += 1;
    if (sender !== undefined) this.pendingBySender.set(sender, fromSender + 1);
    void this.deliver(task, sender);
    return true;
  }

  /** Resolves when no mail is waiting (specs, and a graceful shutdown). */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((done) => this.idleWaiters.push(done));
  }

  private async deliver(task: OutboxTask, sender: string | undefined): Promise<void> {
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
      if (sender !== undefined) {
        const left = (this.pendingBySender.get(sender) ?? 1) - 1;
        if (left > 0) this.pendingBySender.set(sender, left);
        else this.pendingBySender.delete(sender);
      }
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
