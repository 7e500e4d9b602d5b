import FakeTimers from '@sinonjs/fake-timers';

/** A frozen `Date`, moved by `tick(ms)`; `uninstall()` restores the real one. */
export type FrozenDate = ReturnType<typeof FakeTimers.install>;

/**
 * Freezes `Date` only (timers and sockets keep running), for code that reads `Date.now()`
 * itself, such as rate-limiter-flexible's memory store. Call `uninstall()` afterwards.
 */
export function freezeDate(): FrozenDate {
  return FakeTimers.install({ now: Date.UTC(2026, 10, 24, 12), toFake: ['Date'] });
}
