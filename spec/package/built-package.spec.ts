import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import ts from 'typescript';
import {
  BUILT_ENTRY_TYPES,
  PROJECT_ROOT as projectRoot,
  applicationOptions,
  diagnosticsOf,
  formatDiagnostic,
} from '../helpers/built-package-program';
import { TEST_SECRET_KEY } from '../helpers/test-environment';

const run = promisify(execFile);

/** The seed's names and the services behind them: what `require('@fastcore/security')` gives. */
const EXPECTED_FUNCTIONS = [
  'getJwks',
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
  'RedisRevocationStore',
  'createRedisClient',
  'redisLoginLimiters',
  'hardenHttpServer',
];

/**
 * Extension points and internals: at `@fastcore/security/advanced`, no longer at the root.
 * Values, seen by `require`; `ADVANCED_TYPES` are seen by the compiler only.
 */
const ADVANCED_VALUES = [
  'createSecurity',
  'memoryLoginLimiters',
  'loginLimiterOptions',
  'LoginThrottle',
  'RegistrationThrottle',
  'ThrottleKeys',
  'throttlingAddress',
  'BcryptWorkLimit',
  'RequestAuthentication',
  'JwtKeySet',
  'jwkThumbprint',
  'JWT_ALGORITHMS',
  'isHmacAlgorithm',
  'toHttpProblem',
  'ERROR_DESCRIPTIONS',
  'readBearerToken',
  'normalizeRoles',
  'createAuthorizationChecker',
  'createCurrentUserChecker',
  'stderrErrorReporter',
];
const ADVANCED_TYPES = [
  'Security',
  'RevocationStore',
  'LoginLimiters',
  'CountedAttempt',
  'LoginAttempt',
  'CountedRegistration',
  'HttpProblem',
  'UserAdapter',
];

// A script outside the project, as an application would write it, with only the
// environment set: no reflect-metadata import, no container set-up.
const SCRIPT = `
const security = require('@fastcore/security');
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

// Both entry points by name, through the package's `exports`, from CommonJS and from ESM.
const ENTRY_POINTS_SCRIPT = `
(async () => {
  const root = require('@fastcore/security');
  const advanced = require('@fastcore/security/advanced');
  const esmRoot = await import('@fastcore/security');
  const esmAdvanced = await import('@fastcore/security/advanced');
  let deep = 'loaded';
  try { require('@fastcore/security/dist/tokens/token-service'); } catch (e) { deep = e.code; }
  process.stdout.write(JSON.stringify({
    root: Object.keys(root),
    advanced: Object.keys(advanced),
    undefinedAdvanced: Object.keys(advanced).filter((name) => advanced[name] === undefined),
    esm: [typeof esmRoot.getPasswordHash, typeof esmAdvanced.createSecurity],
    deep,
  }));
})().catch((error) => { process.stderr.write(String(error && error.stack)); process.exit(1); });
`;

/** An application file importing from both entry points, for the compiler. */
const ENTRY_POINTS_APP = `
import * as root from '@fastcore/security';
import * as advanced from '@fastcore/security/advanced';
export { root, advanced };
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
    // The package under its name, as installed: its package.json (exports, typesVersions)
    // decides what can be required.
    mkdirSync(join(folder, 'node_modules', '@fastcore'), { recursive: true });
    symlinkSync(projectRoot, join(folder, 'node_modules', '@fastcore', 'security'), 'dir');
    writeFileSync(join(folder, 'consumer.cjs'), SCRIPT);
    writeFileSync(join(folder, 'entry-points.cjs'), ENTRY_POINTS_SCRIPT);
    writeFileSync(join(folder, 'app.ts'), ENTRY_POINTS_APP);
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  async function consume(
    env: Record<string, string>,
    script = 'consumer.cjs',
  ): Promise<{ stdout: string; stderr: string }> {
    return run(process.execPath, [join(folder, script)], {
      cwd: folder,
      env: {
        PATH: process.env['PATH'] ?? '',
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

  it('gives the advanced names at @fastcore/security/advanced only, and no path past the two entries', async () => {
    const { stdout } = await consume({}, 'entry-points.cjs');
    const found = JSON.parse(stdout) as {
      root: string[];
      advanced: string[];
      undefinedAdvanced: string[];
      esm: string[];
      deep: string;
    };
    expect(found.advanced).to.include.members(ADVANCED_VALUES);
    expect(found.undefinedAdvanced).to.deep.equal([]);
    expect(found.root).to.include.members(EXPECTED_FUNCTIONS);
    expect(
      found.root.filter((name) => found.advanced.includes(name)),
      'in both',
    ).to.deep.equal([]);
    expect(found.esm).to.deep.equal(['function', 'function']);
    expect(found.deep).to.equal('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  for (const [name, moduleResolution, module] of [
    ['node10 (typesVersions)', ts.ModuleResolutionKind.Node10, ts.ModuleKind.CommonJS],
    ['node16 (exports)', ts.ModuleResolutionKind.Node16, ts.ModuleKind.Node16],
    ['bundler (exports)', ts.ModuleResolutionKind.Bundler, ts.ModuleKind.ESNext],
  ] as const) {
    it(`declares each entry point's names to the compiler, resolving by name with ${name}`, () => {
      const options = applicationOptions({ moduleResolution, module });
      const app = join(folder, 'app.ts');
      for (const [specifier, builtTypes] of Object.entries(BUILT_ENTRY_TYPES)) {
        const resolved = ts.resolveModuleName(specifier, app, options, ts.sys).resolvedModule;
        expect(resolved?.resolvedFileName, specifier).to.equal(builtTypes);
      }
      const program = ts.createProgram([app], options);
      const source = program.getSourceFile(app)!;
      expect(diagnosticsOf(program, source).map(formatDiagnostic)).to.deep.equal([]);
      const checker = program.getTypeChecker();
      const [root, advanced] = source.statements
        .filter(ts.isImportDeclaration)
        .map((declaration) =>
          checker
            .getExportsOfModule(checker.getSymbolAtLocation(declaration.moduleSpecifier)!)
            .map((symbol) => symbol.name),
        );
      expect(advanced).to.include.members([...ADVANCED_VALUES, ...ADVANCED_TYPES]);
      expect(root).to.include.members([...EXPECTED_FUNCTIONS, 'TokenPair', 'Principal']);
      expect(
        root.filter((name) => advanced.includes(name)),
        'in both',
      ).to.deep.equal([]);
    });
  }
});
