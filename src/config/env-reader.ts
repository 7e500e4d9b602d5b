import { readFileSync } from 'node:fs';
import { ConfigurationError } from '../errors/security-errors';

/** The environment as Node gives it: every value a string or absent. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** Inclusive bounds for an integer setting. */
export interface IntegerRange {
  min: number;
  max: number;
}

/**
 * Reads typed values out of an environment, failing with a `ConfigurationError` that names
 * the variable and the rule (never the value: it may be a secret). Numbers become numbers
 * here, once: downstream code never sees "60" where it expects 60.
 */
export class EnvReader {
  constructor(private readonly env: Environment) {}

  /** The trimmed value, or `undefined` when unset or blank. */
  optionalString(name: string): string | undefined {
    const raw = this.env[name];
    if (raw === undefined) return undefined;
    const value = raw.trim();
    return value === '' ? undefined : value;
  }

  /** The raw value, untrimmed (secrets keep every byte), or `undefined` when unset or empty. */
  rawString(name: string): string | undefined {
    const raw = this.env[name];
    return raw === undefined || raw === '' ? undefined : raw;
  }

  /**
   * The raw value of `name`, or the content of the file named by `name_FILE` (for keys kept
   * in files or mounted secrets); `undefined` when neither is set. Both set is an error.
   */
  rawStringOrFile(name: string): string | undefined {
    const value = this.rawString(name);
    const path = this.optionalString(`${name}_FILE`);
    if (path === undefined) return value;
    if (value !== undefined) {
      throw new ConfigurationError(name, `and ${name}_FILE are both set; set one of them`);
    }
    try {
      return readFileSync(path, 'utf8');
    } catch {
      throw new ConfigurationError(`${name}_FILE`, 'names a file that cannot be read');
    }
  }

  /** A decimal integer within `range`, or `fallback` when unset. */
  integer(name: string, fallback: number, range: IntegerRange): number {
    const raw = this.optionalString(name);
    const value = raw === undefined ? fallback : parseStrictInteger(raw);
    return checkIntegerRange(name, value, range);
  }

  /** A decimal integer within `range`, or `undefined` when unset or blank. */
  optionalInteger(name: string, range: IntegerRange): number | undefined {
    const raw = this.optionalString(name);
    return raw === undefined ? undefined : checkIntegerRange(name, parseStrictInteger(raw), range);
  }
}

/**
 * Checks that a value (from the environment or from code) is an integer in range, with the
 * one error message every integer setting shares.
 */
export function checkIntegerRange(name: string, value: number, range: IntegerRange): number {
  if (!Number.isSafeInteger(value) || value < range.min || value > range.max) {
    throw new ConfigurationError(name, `must be an integer from ${range.min} to ${range.max}`);
  }
  return value;
}

/** `"30"` → 30; `"30s"`, `"1e3"`, `"0x10"`, `"3.5"`, `" "` → NaN (refused by the range check). */
function parseStrictInteger(raw: string): number {
  return /^[+-]?\d{1,15}$/.test(raw) ? Number(raw) : Number.NaN;
}
