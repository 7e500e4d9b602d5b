import { expect } from 'chai';
import { expectNoSecretsInLogs } from './log-secrets';
import { TEST_SECRET_KEY } from './test-environment';

describe('expectNoSecretsInLogs (the safe-logging check itself)', () => {
  const line = (fields: object) => JSON.stringify({ level: 'info', event: 'x', ...fields });

  it('passes lines with ids, names and times', () => {
    expectNoSecretsInLogs([line({ userId: '2', jti: '6f1c…', at: '2026-11-24T12:00:00Z' })]);
  });

  for (const [what, fields] of [
    ['a token', { token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl' }],
    ['a bcrypt hash', { hash: '$2b$12$MhGMrOeGVBvVEQbfzBkl9ej7NRtMTHA6ypbHK8AOIeA71D/huNfRS' }],
    ['the secret key', { config: TEST_SECRET_KEY }],
    ['a demo password', { attempt: 'admin-password' }],
  ] as const) {
    it(`fails on ${what}`, () => {
      expect(() => expectNoSecretsInLogs([line(fields)])).to.throw(/in a log line/);
    });
  }

  it('fails on an extra secret given by the spec', () => {
    expect(() => expectNoSecretsInLogs([line({ note: 'opaque-123' })], ['opaque-123'])).to.throw();
  });
});
