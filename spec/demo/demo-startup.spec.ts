import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { expect } from 'chai';
import { rawRequest } from '../helpers/raw-http-client';
import { TEST_SECRET_KEY } from '../helpers/test-environment';

const projectRoot = resolve(__dirname, '../..');
const tsNode = require.resolve('ts-node/dist/bin.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `npm run demo`'s entry point with exactly `env` (plus PATH), until it exits or listens. */
function startDemo(env: Record<string, string>): Promise<Run & { child: ChildProcess }> {
  // As `npm run demo` runs it (types are checked by `npm run typecheck`, not at each start).
  const child = spawn(process.execPath, [tsNode, '--transpile-only', 'demo/main.ts'], {
    cwd: projectRoot,
    env: { PATH: process.env['PATH'] ?? '', PORT: '0', ...env },
  });
  let stdout = '';
  let stderr = '';
  return new Promise((done) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('"event":"listening"')) done({ code: null, stdout, stderr, child });
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => done({ code, stdout, stderr, child }));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null) return done();
    child.on('exit', () => done());
    child.kill('SIGTERM');
  });
}

describe('demo start-up (a real process)', function () {
  this.timeout(60_000);

  it('starts with no environment at all: random key warning, demo users, listening', async () => {
    const run = await startDemo({});
    try {
      expect(run.code, run.stderr).to.equal(null);
      const events = run.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { event: string; level: string; emails?: string[] });
      expect(events.map((e) => e.event)).to.deep.equal([
        'ephemeral_secret_key',
        'ephemeral_totp_key',
        'memory_stores',
        'demo_users_created',
        'listening',
      ]);
      expect(events[0]?.level).to.equal('warn');
      expect(events[1]?.level).to.equal('warn');
      expect(events[3]?.emails).to.deep.equal(['admin@example.com', 'user@example.com']);
      expect(run.stdout).not.to.match(/admin-password|user-password/);
    } finally {
      await stop(run.child);
    }
  });

  for (const [name, env, variable] of [
    ['a short key', { SECRET_KEY: 'short' }, 'SECRET_KEY'],
    ['no key in production', { NODE_ENV: 'production' }, 'SECRET_KEY'],
    [
      'a placeholder key in production',
      { NODE_ENV: 'production', SECRET_KEY: 'your-256-bit-secret-your-256-bit-secret' },
      'SECRET_KEY',
    ],
    ['alg none', { JWT_ALGORITHM: 'none' }, 'JWT_ALGORITHM'],
    [
      'a lifetime that is not a positive integer',
      { ACCESS_TOKEN_EXPIRE_MINUTES: '30m' },
      'ACCESS_TOKEN_EXPIRE_MINUTES',
    ],
    [
      'bcrypt rounds below the production range',
      { NODE_ENV: 'production', SECRET_KEY: TEST_SECRET_KEY, BCRYPT_ROUNDS: '4' },
      'BCRYPT_ROUNDS',
    ],
    ['a bad port', { PORT: '70000' }, 'PORT'],
    [
      'no TOTP key in production (the second factor needs one)',
      { NODE_ENV: 'production', SECRET_KEY: TEST_SECRET_KEY, BCRYPT_ROUNDS: '10' },
      'TOTP_ENCRYPTION_KEY',
    ],
    [
      'a TOTP key shorter than 32 bytes',
      { TOTP_ENCRYPTION_KEY: 'too-short' },
      'TOTP_ENCRYPTION_KEY',
    ],
  ] as const) {
    it(`H: stops at start on ${name}, with one line naming ${variable} and no stack`, async () => {
      const run = await startDemo(env);
      expect(run.code).to.equal(1);
      const lines = run.stderr.trim().split('\n');
      expect(lines).to.have.length(1);
      expect(lines[0]).to.match(new RegExp(`^configuration error: ${variable} `));
      expect(run.stderr).not.to.match(/\bat .*\.ts:\d+/);
      expect(run.stdout).not.to.contain('listening');
    });
  }

  it('creates no demo users in production', async () => {
    const run = await startDemo({
      NODE_ENV: 'production',
      SECRET_KEY: TEST_SECRET_KEY,
      BCRYPT_ROUNDS: '10',
      TOTP_ENCRYPTION_KEY: 'a-production-totp-key-of-at-least-32-bytes',
    });
    try {
      expect(run.code, run.stderr).to.equal(null);
      expect(run.stdout).not.to.contain('demo_users_created');
      expect(run.stdout).not.to.contain('ephemeral_secret_key');
      expect(run.stdout).not.to.contain('ephemeral_totp_key');
    } finally {
      await stop(run.child);
    }
  });

  it("serves on a hardened server: Node's own 400 is the contract's JSON", async () => {
    const run = await startDemo({});
    try {
      expect(run.code, run.stderr).to.equal(null);
      const { url } = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as { url: string };
      const answer = await rawRequest(Number(new URL(url).port), 'NOT A REQUEST\r\n\r\n');
      expect(answer.status).to.equal(400);
      expect(answer.headers['content-type']).to.match(/^application\/json/);
      expect(JSON.parse(answer.body)).to.deep.equal({
        error: 'invalid_request',
        error_description: 'The request is invalid.',
      });
    } finally {
      await stop(run.child);
    }
  });
});
