/**
 * How far a session's start may lie ahead of the clock of the instance that signs or checks
 * its tokens (another instance's clock ahead): beyond the longest leeway (60 s) and a
 * second of rounding, a minute more. A start further ahead is an application's mistake.
 */
export const MAX_CLOCK_AHEAD_MS = 121_000;

/**
 * How far apart the clocks of the instances sharing a revocation store may be, for the tokens
 * outside a session (which carry only their instance's time): after a loss, such a token
 * issued less than this after the marker was written is refused too, so that an instance
 * whose clock runs ahead cannot pass off a token issued before the loss as newer.
 */
export const INSTANCE_CLOCK_SKEW_MS = 5_000;
