import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { expect } from 'chai';
import { ConfigurationError } from '../../src';
import { createDemoApp } from '../../demo/demo-app';
import { jsonLogger } from '../../demo/logging/json-logger';
import { TEST_SECRET_KEY } from '../helpers/test-environment';

const projectRoot = resolve(__dirname, '../..');

async function startupError(env: NodeJS.ProcessEnv): Promise<ConfigurationError> {
  try {
    const demo = await createDemoApp({ env, logger: jsonLogger(() => undefined) });
    await demo.close();
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error('the demo started with a bad configuration');
}

/** `npm run demo`'s process: exit code and stderr. */
function run(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child: ChildProcess = spawn(
    process.execPath,
    [require.resolve('ts-node/dist/bin.js'), '--transpile-only', 'demo/main.ts'],
    { cwd: projectRoot, env: { PATH: process.env['PATH'] ?? '', PORT: '0', ...env } },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout?.on('data', (chunk: Buffer) => {
    if (chunk.toString().includes('"listening"')) child.kill();
  });
  return new Promise((done) => child.on('exit', (code) => done({ code, stderr })));
}

const PRODUCTION = { NODE_ENV: 'production', SECRET_KEY: TEST_SECRET_KEY, BCRYPT_ROUNDS: '10' };

describe('catalogue H: configuration (start-up must fail with one clear line)', function () {
  this.timeout(30_000);

  it('H1 SECRET_KEY missing or shorter than the hash size (32 bytes for HS256, 48 for HS384, 64 for HS512), or a well-known placeholder, in production', async () => {
    expect((await startupError({ NODE_ENV: 'production' })).message).to.equal(
      'SECRET_KEY is required: at least 32 bytes for HS256',
    );
    expect((await startupError({ SECRET_KEY: 'x'.repeat(31) })).message).to.equal(
      'SECRET_KEY must be at least 32 bytes for HS256',
    );
    expect(
      (
        await startupError({
          SECRET_KEY: 'k'.repeat(20) + TEST_SECRET_KEY.slice(0, 27),
          JWT_ALGORITHM: 'HS384',
        })
      ).message,
    ).to.equal('SECRET_KEY must be at least 48 bytes for HS384');
    expect(
      (await startupError({ SECRET_KEY: TEST_SECRET_KEY.slice(0, 63), JWT_ALGORITHM: 'HS512' }))
        .message,
    ).to.equal('SECRET_KEY must be at least 64 bytes for HS512');
    for (const placeholder of [
      'your-256-bit-secret-your-256-bit-secret',
      'secret'.padEnd(32, '0'),
      'your-secret-key-here'.repeat(2),
    ]) {
      expect((await startupError({ ...PRODUCTION, SECRET_KEY: placeholder })).variable).to.equal(
        'SECRET_KEY',
      );
    }
    const { code, stderr } = await run({ NODE_ENV: 'production' });
    expect(code).to.equal(1);
    expect(stderr).to.equal(
      'configuration error: SECRET_KEY is required: at least 32 bytes for HS256\n',
    );
  });

  it('H2 JWT_ALGORITHM none or unknown, or an asymmetric algorithm with no key pair', async () => {
    for (const algorithm of ['none', 'HS1024', 'EdDSA']) {
      expect(
        (await startupError({ SECRET_KEY: TEST_SECRET_KEY, JWT_ALGORITHM: algorithm })).variable,
      ).to.equal('JWT_ALGORITHM');
    }
    for (const algorithm of ['RS256', 'PS256', 'ES256']) {
      const error = await startupError({ SECRET_KEY: TEST_SECRET_KEY, JWT_ALGORITHM: algorithm });
      expect(error.variable).to.equal('JWT_PRIVATE_KEY');
    }
    const asymmetric = await run({ JWT_ALGORITHM: 'RS256' });
    expect(asymmetric.code).to.equal(1);
    expect(asymmetric.stderr).to.equal(
      'configuration error: JWT_PRIVATE_KEY is required for RS256: a PEM private key (or JWT_PRIVATE_KEY_FILE naming one)\n',
    );
    const { code, stderr } = await run({ JWT_ALGORITHM: 'none' });
    expect(code).to.equal(1);
    expect(stderr.trim().split('\n')).to.have.length(1);
    expect(stderr).to.match(
      /^configuration error: JWT_ALGORITHM must be one of HS256, HS384, HS512/,
    );
  });

  it('H3 lifetimes that are not positive integers', async () => {
    for (const [variable, value] of [
      ['ACCESS_TOKEN_EXPIRE_MINUTES', '0'],
      ['ACCESS_TOKEN_EXPIRE_MINUTES', '-5'],
      ['ACCESS_TOKEN_EXPIRE_MINUTES', '60s'],
      ['REFRESH_TOKEN_EXPIRE_DAYS', '1.5'],
      ['REFRESH_TOKEN_EXPIRE_DAYS', 'seven'],
    ] as const) {
      expect(
        (await startupError({ SECRET_KEY: TEST_SECRET_KEY, [variable]: value })).variable,
      ).to.equal(variable);
    }
    const { code, stderr } = await run({ ACCESS_TOKEN_EXPIRE_MINUTES: '60s' });
    expect(code).to.equal(1);
    expect(stderr).to.equal(
      'configuration error: ACCESS_TOKEN_EXPIRE_MINUTES must be an integer from 1 to 10080\n',
    );
  });

  it('a documented value of one setting, set alone, starts: no default contradicts it', async () => {
    for (const env of [
      { LOGIN_MAX_ATTEMPTS: '1000' },
      { LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '1' },
      { REFRESH_SESSION_MAX_DAYS: '1' },
      { REFRESH_TOKEN_EXPIRE_DAYS: '365' },
    ]) {
      const demo = await createDemoApp({
        env: { SECRET_KEY: TEST_SECRET_KEY, BCRYPT_ROUNDS: '4', ...env },
        logger: jsonLogger(() => undefined),
      });
      await demo.close();
    }
  });

  it('H4 BCRYPT_ROUNDS not an integer in the allowed range', async () => {
    for (const value of ['3', '16', '12.5', 'twelve']) {
      expect(
        (await startupError({ SECRET_KEY: TEST_SECRET_KEY, BCRYPT_ROUNDS: value })).variable,
      ).to.equal('BCRYPT_ROUNDS');
    }
    expect((await startupError({ ...PRODUCTION, BCRYPT_ROUNDS: '9' })).message).to.equal(
      'BCRYPT_ROUNDS must be an integer from 10 to 15',
    );
    const { code, stderr } = await run({ BCRYPT_ROUNDS: '99' });
    expect(code).to.equal(1);
    expect(stderr).to.equal('configuration error: BCRYPT_ROUNDS must be an integer from 4 to 15\n');
  });
});
