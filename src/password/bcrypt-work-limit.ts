import { ServerBusyError } from '../errors/security-errors';

/**
 * A bound on the bcrypt work admitted at once (running on libuv's thread pool or waiting
 * for it). Past the bound, work is refused at once with `ServerBusyError` (503) instead of
 * queueing: under a storm of logins or registrations, an admitted login waits for at most
 * `limit / threads` bcrypt runs, and a refused one learns it in microseconds. A slot is
 * freed when its work ends, whether it succeeded or threw.
 */
export class BcryptWorkLimit {
  private inFlight = 0;

  constructor(readonly limit: number) {}

  /** Operations admitted and not finished. */
  get active(): number {
    return this.inFlight;
  }

  /**
   * Runs `work` in `slots` slots (one per bcrypt operation it starts).
   * @throws ServerBusyError when fewer slots are free.
   */
  async run<T>(work: () => Promise<T>, slots = 1): Promise<T> {
    // Work of more slots than the whole limit runs alone rather than never.
    const taken = Math.min(slots, this.limit);
    if (this.inFlight + taken > this.limit) throw new ServerBusyError();
    this.inFlight += taken;
    try {
      return await work();
    } finally {
      this.inFlight -= taken;
    }
  }
}
