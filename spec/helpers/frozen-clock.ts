import type { Clock } from '../../src/clock/clock';

/** A clock that moves only when told to. */
export class FrozenClock implements Clock {
  constructor(private current = Date.UTC(2026, 10, 24, 12, 0, 0)) {}

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }

  advanceSeconds(seconds: number): void {
    this.advance(seconds * 1000);
  }

  /** Seconds since the epoch, as `iat`/`exp` count them. */
  get seconds(): number {
    return Math.floor(this.current / 1000);
  }
}
