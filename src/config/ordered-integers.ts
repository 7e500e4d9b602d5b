import type { EnvReader, IntegerRange } from './env-reader';
import { checkIntegerRange } from './env-reader';

/** One of two integer settings that must keep an order. */
export interface OrderedInteger {
  name: string;
  /** The bounds the setting has alone; a value set for the other setting narrows them. */
  range: IntegerRange;
  /** The application's default, given in code; the environment still wins. */
  codeDefault: number | undefined;
}

/**
 * Reads two integer settings where `lower` may not exceed `upper` (a refresh token may not
 * outlive its session; one address is allowed at least as many failures as one account).
 *
 * A value that is set, in the environment or in code, is kept and checked: with both set,
 * `upper` must be at least `lower`, so the error names a variable somebody set. A library
 * default gives way instead of contradicting a value set: `lower` is `lower.fallback`, or
 * `upper` when that is smaller; `upper` is `upper.fallback` (without one, `lower` itself),
 * or `lower` when that is larger. So every value of one of them, set alone, is accepted.
 */
export function readOrderedIntegers(
  read: EnvReader,
  lower: OrderedInteger & { fallback: number },
  upper: OrderedInteger & { fallback?: number },
): { lower: number; upper: number } {
  const setLower = valueSet(read, lower, lower.range);
  const upperRange =
    setLower === undefined
      ? upper.range
      : { min: Math.max(upper.range.min, setLower), max: upper.range.max };
  const setUpper = valueSet(read, upper, upperRange);
  const lowerValue = setLower ?? Math.min(lower.fallback, setUpper ?? lower.fallback);
  const upperValue = setUpper ?? Math.max(upper.fallback ?? lowerValue, lowerValue);
  return { lower: lowerValue, upper: upperValue };
}

/** The environment's value, else the code default, checked against `range`; else `undefined`. */
function valueSet(
  read: EnvReader,
  setting: OrderedInteger,
  range: IntegerRange,
): number | undefined {
  const fromEnvironment = read.optionalInteger(setting.name, range);
  if (fromEnvironment !== undefined || setting.codeDefault === undefined) return fromEnvironment;
  return checkIntegerRange(setting.name, setting.codeDefault, range);
}
