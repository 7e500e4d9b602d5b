/**
 * The only source of "now" in the library: services take a `Clock` so that tests freeze
 * or advance time instead of sleeping.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };
