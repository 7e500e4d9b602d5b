import type { Clock } from '../clock/clock';
import type { SecurityEvent, SecurityEventInput } from './security-event';

/** Receives security events; what it throws is swallowed (auditing never breaks a login). */
export type SecurityEventListener = (event: SecurityEvent) => void;

/**
 * Where the library reports security events. Subscribe to log them, alert on them or count
 * them.
 *
 * @example
 * ```ts
 * Container.get(AuditTrail).subscribe((event) => logger.info(event.type, event));
 * ```
 */
export class AuditTrail {
  private readonly listeners = new Set<SecurityEventListener>();

  constructor(private readonly clock: Clock) {}

  /** @returns a function that unsubscribes. */
  subscribe(listener: SecurityEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  record(input: SecurityEventInput): void {
    if (this.listeners.size === 0) return;
    const event = { ...input, time: new Date(this.clock.now()) };
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A failing listener must not turn a login or a check into an error.
      }
    }
  }
}
