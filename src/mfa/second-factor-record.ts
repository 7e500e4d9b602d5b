/**
 * A user's second factor as the library stores it through the user adapter: opaque text to
 * the application (one column), JSON to the library. The TOTP secret in it is sealed
 * (`SecretCipher`); the recovery codes are HMACs.
 */
export interface SecondFactorRecord {
  v: 1;
  /** On (confirmed by a first code), or enrolled and waiting for that code. */
  on: boolean;
  /** The sealed TOTP secret. */
  secret: string;
  /** The last time step a code was accepted at: codes of it and before are spent. */
  step: number;
  /** Digests of the recovery codes not used yet. */
  recovery: string[];
}

/**
 * What stands for a record that does not read as one (corrupt, or written by something
 * else): on, with nothing that verifies. The user is asked for a code none can give, rather
 * than let in without the factor.
 */
const UNUSABLE: Readonly<SecondFactorRecord> = Object.freeze({
  v: 1,
  on: true,
  secret: '',
  step: Number.MAX_SAFE_INTEGER,
  recovery: [],
});

/** The record in `text`; `null` for none (null, undefined or ''). */
export function readSecondFactor(text: string | null | undefined): SecondFactorRecord | null {
  if (text === null || text === undefined || text === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return UNUSABLE;
  }
  const record = (typeof value === 'object' && value !== null ? value : {}) as Record<
    string,
    unknown
  >;
  const { v, on, secret, step, recovery } = record;
  if (
    v !== 1 ||
    typeof on !== 'boolean' ||
    typeof secret !== 'string' ||
    !Number.isSafeInteger(step) ||
    !Array.isArray(recovery) ||
    !recovery.every((digest) => typeof digest === 'string')
  ) {
    return UNUSABLE;
  }
  return { v, on, secret, step: step as number, recovery };
}

/** The text to store for `record`. */
export function writeSecondFactor(record: SecondFactorRecord): string {
  const { v, on, secret, step, recovery } = record;
  return JSON.stringify({ v, on, secret, step, recovery });
}

/**
 * Whether the stored second factor is on (logins need a code): for an application's user
 * objects (`mfa_enabled`). A record that does not read counts as on.
 */
export function isSecondFactorOn(text: string | null | undefined): boolean {
  return readSecondFactor(text)?.on === true;
}
