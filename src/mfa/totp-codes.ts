import { Secret, TOTP } from 'otpauth';

/** RFC 6238 as every authenticator app reads an `otpauth://` URI without options. */
const ALGORITHM = 'SHA1';
const DIGITS = 6;
export const TOTP_PERIOD_SECONDS = 30;
/** Steps either side of now that a code may come from (a phone's clock a little off). */
const WINDOW = 1;
/** 160 bits, RFC 4226's recommendation. */
const SECRET_BYTES = 20;
const CODE = /^\d{6}$/;

/** A new random TOTP secret, base32 (as authenticator apps take it). */
export function newTotpSecret(): string {
  return new Secret({ size: SECRET_BYTES }).base32;
}

/** The `otpauth://totp/…` URI of a secret, for a QR code or manual entry. */
export function totpUri(secret: string, issuer: string, label: string): string {
  return new TOTP({
    issuer,
    label,
    secret: Secret.fromBase32(secret),
    algorithm: ALGORITHM,
    digits: DIGITS,
    period: TOTP_PERIOD_SECONDS,
  }).toString();
}

/**
 * The time step whose code `typed` is (spaces aside), within `WINDOW` steps of `nowMs`, or `null` when it is
 * no code of the secret then (otpauth's validation, which compares in constant time).
 */
export function stepOfCode(secret: string, typed: string, nowMs: number): number | null {
  // As apps show it: `123 456`.
  const code = typed.replace(/\s+/g, '');
  if (!CODE.test(code)) return null;
  const delta = TOTP.validate({
    token: code,
    secret: Secret.fromBase32(secret),
    algorithm: ALGORITHM,
    digits: DIGITS,
    period: TOTP_PERIOD_SECONDS,
    timestamp: nowMs,
    window: WINDOW,
  });
  return delta === null ? null : Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS) + delta;
}
