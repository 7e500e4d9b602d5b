import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { TEST_SECRET_KEY } from '../helpers/test-environment';

const run = promisify(execFile);
const projectRoot = resolve(__dirname, '../..');

/** The seed's names and the services behind them: what `require('@fastcore/security')` gives. */
const EXPECTED_FUNCTIONS = [
  'getPasswordHash',
  'verifyPassword',
  'createAccessToken',
  'createRefreshToken',
  'createTokenPair',
  'refreshAccessToken',
  'revokeToken',
  'revokeAllUserTokens',
  'verifyAccessToken',
  'BaseUserAuthentication',
  'configureApp',
  'authorizationChecker',
  'currentUserChecker',
  'BaseAppSettings',
  'configureSecurity',
  'TokenService',
  'PasswordHasher',
  'RevocationService',
  'RefreshRotationService',
  'MemoryRevocationStore',
  'InvalidTokenError',
  'ConfigurationError',
];

// A script outside the project, as an application would write it, with only the
// environment set: no reflect-metadata import, no container set-up.
const SCRIPT = `
const security = require(process.env.PACKAGE_PATH);
(async () => {
  const names = JSON.parse(process.env.EXPECTED_FUNCTIONS);
  const missing = names.filter((name) => typeof security[name] !== 'function');
  const hash = await security.getPasswordHash('correct horse battery');
  const pair = security.createTokenPair({ sub: 42, roles: ['user'] });
  const claims = await security.verifyAccessToken(pair.access_token);
  const refreshed = await security.refreshAccessToken(pair.refresh_token);
  await security.revokeToken(refreshed.access_token);
  let revoked = false;
  try { await security.verifyAccessToken(refreshed.access_token); } catch (e) { revoked = e.code === 'ERR_TOKEN_REVOKED'; }
  const { jwtVerify } = await import(process.env.JOSE_URL);
  const key = new TextEncoder().encode(process.env.SECRET_KEY);
  const verified = await jwtVerify(pair.access_token, key, { algorithms: ['HS256'] });
  process.stdout.write(JSON.stringify({
    missing,
    hashMatches: await security.verifyPassword('correct horse battery', hash),
    wrongMatches: await security.verifyPassword('wrong horse battery', hash),
    tokenType: pair.token_type,
    sub: claims.sub,
    revoked,
    jose: { alg: verified.protectedHeader.alg, sub: verified.payload.sub, roles: verified.payload.roles },
  }));
})().catch((error) => { process.stderr.write(String(error && error.code)); process.exit(1); });
`;

describe('the built package, required from outside the project', function () {
  let folder: string;

  before(function () {
    if (!existsSync(join(projectRoot, 'dist', 'index.js'))) {
      throw new Error(
        'dist/ is missing: `npm test` builds it first (pretest); run `npm run build`',
      );
    }
    folder = mkdtempSync(join(tmpdir(), 'fastcore-consumer-'));
    writeFileSync(join(folder, 'consumer.cjs'), SCRIPT);
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  async function consume(env: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
    return run(process.execPath, [join(folder, 'consumer.cjs')], {
      cwd: folder,
      env: {
        PATH: process.env['PATH'] ?? '',
        PACKAGE_PATH: projectRoot,
        JOSE_URL: pathToFileURL(require.resolve('jose')).href,
        EXPECTED_FUNCTIONS: JSON.stringify(EXPECTED_FUNCTIONS),
        ...env,
      },
    });
  }

  it('gives every name, and a token pair whose access token jose verifies with the same key', async () => {
    const { stdout } = await consume({ SECRET_KEY: TEST_SECRET_KEY, BCRYPT_ROUNDS: '4' });
    expect(JSON.parse(stdout)).to.deep.equal({
      missing: [],
      hashMatches: true,
      wrongMatches: false,
      tokenType: 'bearer',
      sub: '42',
      revoked: true,
      jose: { alg: 'HS256', sub: '42', roles: ['user'] },
    });
  });

  it('fails with the configuration error, not a crash, when the environment is bad', async () => {
    const error = (await consume({ SECRET_KEY: 'too-short' }).catch((e: unknown) => e)) as {
      code: number;
      stderr: string;
    };
    expect(error.code).to.equal(1);
    expect(error.stderr).to.equal('ERR_CONFIGURATION');
  });
});
