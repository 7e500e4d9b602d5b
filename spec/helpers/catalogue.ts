import { expect } from 'chai';
import type { Response } from 'supertest';
import { ERROR_DESCRIPTIONS } from '../../src/advanced';
import { DEMO_USERS } from '../../demo/users/seed-demo-users';
import { demoHarness } from './demo-harness';
import type { DemoHarness } from './demo-harness';
import { expectNoSecretsInLogs } from './log-secrets';
import { TEST_SECRET_KEY } from './test-environment';

export const REALM = 'fastcore-demo';
export const USER = { username: 'user@example.com', password: 'user-password' };
export const ADMIN = { username: 'admin@example.com', password: 'admin-password' };

/** The demo for a catalogue section, remembering every token it hands out. */
export interface CatalogueHarness extends DemoHarness {
  /** Tokens and passwords that must never reach a log line. */
  secrets: string[];
}

export async function catalogueHarness(env: NodeJS.ProcessEnv = {}): Promise<CatalogueHarness> {
  const h = await demoHarness(env);
  const secrets = [TEST_SECRET_KEY, ...DEMO_USERS.map((user) => user.password)];
  const login = h.login;
  return {
    ...h,
    secrets,
    login: async (username, password) => {
      const pair = await login(username, password);
      secrets.push(pair.access_token, pair.refresh_token, password);
      return pair;
    },
  };
}

/**
 * The contract's error answer: status, `{error, error_description}` with the fixed text, and
 * the challenge: `bare` for `Bearer realm="…"`, an RFC 6750 error code, or none.
 */
export function expectProblem(
  response: Response,
  status: number,
  code: string,
  challenge?: 'bare' | 'invalid_token' | 'insufficient_scope' | 'invalid_request',
): void {
  expectErrorBody(response, status, code);
  const header = response.headers['www-authenticate'];
  if (challenge === undefined) expect(header).to.equal(undefined);
  else if (challenge === 'bare') expect(header).to.equal(`Bearer realm="${REALM}"`);
  else expect(header).to.equal(`Bearer realm="${REALM}", error="${challenge}"`);
  expect(response.text).not.to.match(/\bat .+:\d+:\d+|Error:|jwt |jsonwebtoken|invalid signature/);
}

/** The status and the contract's error body `{error, error_description}` with the fixed text. */
export function expectErrorBody(
  response: { status: number; body: unknown; text?: string },
  status: number,
  code: string,
): void {
  expect(response.status, response.text ?? JSON.stringify(response.body)).to.equal(status);
  expect(response.body).to.deep.equal({ error: code, error_description: ERROR_DESCRIPTIONS[code] });
}

/** No log line holds a secret: the key, a password, a hash or a token handed out. */
export function expectCleanLogs(h: CatalogueHarness, extra: string[] = []): void {
  expectNoSecretsInLogs(h.logs, [...h.secrets, ...extra]);
}

export const bearerOf = (token: string): Record<string, string> => ({
  Authorization: `Bearer ${token}`,
});
