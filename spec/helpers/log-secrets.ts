import { expect } from 'chai';
import { DEMO_USERS } from '../../demo/users/seed-demo-users';
import { TEST_SECRET_KEY } from './test-environment';

/** Anything shaped like a JWT (a base64url JSON header, payload and signature). */
const JWT = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/;
/** A bcrypt hash. */
const BCRYPT = /\$2[abxy]\$\d\d\$[./A-Za-z0-9]{20,}/;

/** Passwords the specs use: none may ever be logged. */
export const SPEC_PASSWORDS = [
  ...DEMO_USERS.map((user) => user.password),
  'wrong-password',
  'a-brand-new-password',
  'changed-password',
  'another-password',
  'new-password',
  'whatever-pw',
  'long-enough',
];

/**
 * Fails when a log line holds a token, a bcrypt hash, the secret key, a PEM key, or one of the known
 * passwords (and `extra` secrets).
 */
export function expectNoSecretsInLogs(
  lines: readonly string[],
  extra: readonly string[] = [],
): void {
  for (const line of lines) {
    expect(line, 'a token in a log line').not.to.match(JWT);
    expect(line, 'a password hash in a log line').not.to.match(BCRYPT);
    expect(line, 'a PEM key in a log line').not.to.match(/-----BEGIN [A-Z ]*KEY-----|PRIVATE KEY/);
    for (const secret of [TEST_SECRET_KEY, ...SPEC_PASSWORDS, ...extra]) {
      if (secret !== '') expect(line.includes(secret), 'a secret in a log line').to.equal(false);
    }
  }
}
