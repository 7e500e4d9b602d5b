import { StoreUnavailableError } from '../errors/security-errors';

/**
 * `work`, or `StoreUnavailableError` once `ms` have passed (the work may still complete; its
 * outcome is then ignored).
 */
export function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new StoreUnavailableError()), ms);
    timer.unref();
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
