/**
 * How far a session's start may lie ahead of the clock of the instance that signs or checks
 * its tokens (another instance's clock ahead): beyond the longest leeway (60 s) and a
 * second of rounding, a minute more. A start further ahead is an application's mistake.
 */
export const MAX_CLOCK_AHEAD_MS = 121_000;
