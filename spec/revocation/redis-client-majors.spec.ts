// ioredis is a peer dependency of either major: an application's own client, ioredis 5 or 6,
// type-checks with the Redis store and limiters of the built package, and works with them.
// ioredis 6 is the devDependency `ioredis`; ioredis 5 the alias `ioredis5` (npm:ioredis@^5).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { Redis as Redis5 } from 'ioredis5';
import type ts from 'typescript';
import { BaseAppSettings } from '../../src/config/base-app-settings';
import { RedisRevocationStore } from '../../src/revocation/redis-revocation-store';
import { redisLoginLimiters } from '../../src/throttling/login-limiters';
import {
  PROJECT_ROOT,
  builtPackageOptions,
  diagnosticsOf,
  formatDiagnostic,
  inMemoryProgram,
  requireBuiltTypes,
} from '../helpers/built-package-program';
import { FrozenClock } from '../helpers/frozen-clock';
import { PrivateRedis } from '../helpers/private-redis';
import { testEnvironment } from '../helpers/test-environment';

const appFolder = join(__dirname, 'redis-client-majors-app');
const ioredis5Types = join(PROJECT_ROOT, 'node_modules', 'ioredis5', 'built', 'index.d.ts');

/** An application with both majors installed: its clients of each go to the store and limiters. */
const BOTH_MAJORS = `
import { Redis as Redis5 } from 'ioredis5';
import { Redis as Redis6 } from 'ioredis';
import { BaseAppSettings, RedisRevocationStore, redisLoginLimiters } from '@fastcore/security';
import type { LoginLimiters } from '@fastcore/security/advanced';

const settings = new BaseAppSettings();
export const stores: RedisRevocationStore[] = [
  new RedisRevocationStore(new Redis5('redis://127.0.0.1:6379'), { keyPrefix: 'five:' }),
  new RedisRevocationStore(new Redis6('redis://127.0.0.1:6379'), { keyPrefix: 'six:' }),
];
export const limiters: LoginLimiters[] = [
  redisLoginLimiters(new Redis5(), settings, 'five:'),
  redisLoginLimiters(new Redis6(), settings, 'six:'),
];
`;

/** What must not type-check: a client without the commands the store and limiters send. */
const NOT_A_CLIENT = `
import { BaseAppSettings, RedisRevocationStore, redisLoginLimiters } from '@fastcore/security';

const halfClient = { defineCommand: (name: string, definition: { lua: string }) => void [name, definition] };
export const store = new RedisRevocationStore(halfClient);
export const limiters = redisLoginLimiters(halfClient, new BaseAppSettings());
`;

/** An application whose only ioredis is 5: \`createRedisClient\` gives it an ioredis 5 client. */
const ONLY_MAJOR_5 = `
import type { Redis } from 'ioredis';
import {
  BaseAppSettings,
  RedisRevocationStore,
  createRedisClient,
  redisLoginLimiters,
} from '@fastcore/security';

const settings = new BaseAppSettings();
export const redis: Redis = createRedisClient('redis://127.0.0.1:6379', {
  onError: (error) => void error.name,
  commandTimeout: 250,
});
export const store = new RedisRevocationStore(redis);
export const limiters = redisLoginLimiters(redis, settings);
`;

/** The problems of `files` in `program`, as `file:line:column TSnnnn: message`. */
function problemsOf(program: ts.Program, files: readonly string[]): string[] {
  return files.flatMap((name) => {
    const file = program.getSourceFile(name);
    if (file === undefined) return [`${name}: not in the program`];
    return diagnosticsOf(program, file).map(formatDiagnostic);
  });
}

/** Every declaration file of the build. */
function builtDeclarations(): string[] {
  const dist = join(PROJECT_ROOT, 'dist');
  return readdirSync(dist, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.d.ts'))
    .map((file) => join(dist, file));
}

describe('an application ioredis client of either major (5 or 6)', function () {
  describe('type-checks against the built package', function () {
    // Two programs over the package's declarations, koa's and both ioredis majors'.
    this.timeout(60_000);
    before(requireBuiltTypes);

    it('an ioredis 5 and an ioredis 6 client, given to RedisRevocationStore and redisLoginLimiters', () => {
      const both = join(appFolder, 'both-majors.ts');
      const wrong = join(appFolder, 'not-a-client.ts');
      const program = inMemoryProgram(
        new Map([
          [both, BOTH_MAJORS],
          [wrong, NOT_A_CLIENT],
        ]),
        builtPackageOptions(),
      );
      expect(problemsOf(program, [both])).to.deep.equal([]);
      // The check is real: an object without the commands is refused, by each parameter type.
      const refused = problemsOf(program, [wrong]);
      expect(refused).to.have.length(2);
      expect(refused[0]).to.match(/:5:\d+ TS2345: .*'RedisRevocationClient'/);
      expect(refused[1]).to.match(/:6:\d+ TS2345: .*'RedisLimiterClient'/);
    });

    it("with ioredis 5 as the application's only ioredis: createRedisClient too, and every declaration of the package", () => {
      const app = join(appFolder, 'only-major-5.ts');
      // The package's own declarations are checked here too (no skipLibCheck for them):
      // they import ioredis, which resolves to the application's, major 5.
      const declarations = builtDeclarations();
      const program = inMemoryProgram(
        new Map([[app, ONLY_MAJOR_5]]),
        builtPackageOptions({ skipLibCheck: false, paths: { ioredis: [ioredis5Types] } }),
        declarations,
      );
      const redisModule = program
        .getSourceFiles()
        .find((file) => file.fileName.endsWith('/ioredis5/built/Redis.d.ts'));
      expect(redisModule, 'ioredis resolved to ioredis 5').not.to.equal(undefined);
      expect(problemsOf(program, [app, ...declarations])).to.deep.equal([]);
    });
  });

  describe('works at runtime: an ioredis 5 client on a private Redis', function () {
    let server: PrivateRedis | undefined;
    let client: Redis5 | undefined;

    before(async () => {
      server = await PrivateRedis.start();
      client = new Redis5(server.url, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        commandTimeout: 1000,
      });
      const ready = client;
      await new Promise<void>((done, fail) => {
        ready.once('ready', done);
        ready.once('error', fail);
      });
    });
    after(async () => {
      client?.disconnect();
      await server?.kill();
    });

    function connected(): Redis5 {
      if (client === undefined) throw new Error('the ioredis 5 client was not set up');
      return client;
    }

    it('revokes, checks and rotates a refresh token with RedisRevocationStore', async () => {
      const clock = new FrozenClock();
      const store = new RedisRevocationStore(connected(), { keyPrefix: 'five:', clock });
      const now = clock.now();
      const access = { jti: 'access-1', subject: 'u1', startedAtMs: now };
      const refresh = {
        jti: 'refresh-1',
        subject: 'u1',
        startedAtMs: now,
        familyId: 'family-1',
        generation: 0,
        familyExpiresAtMs: now + 3_600_000,
      };
      const next = { expiresAtMs: now + 60_000 };

      expect(await store.isRevoked(access), 'before the logout').to.equal(false);
      await store.revokeToken(access.subject, access.jti, now + 60_000);
      expect(await store.isRevoked(access), 'after the logout').to.equal(true);

      expect(await store.checkRefreshToken(refresh), 'the check').to.equal('current');
      expect(await store.rotateRefreshToken(refresh, next), 'first rotation').to.equal('rotated');
      expect(await store.rotateRefreshToken(refresh, next), 'replay').to.equal('reused');
      const sibling = { jti: 'access-2', subject: 'u1', startedAtMs: now, familyId: 'family-1' };
      expect(await store.isRevoked(sibling), 'the family after the replay').to.equal(true);
      expect(await connected().pttl('five:{u1}:jti:access-1')).to.be.within(1, 60_000);
    });

    it('counts failed logins with redisLoginLimiters', async () => {
      const settings = new BaseAppSettings(testEnvironment({ LOGIN_MAX_ATTEMPTS: '3' }));
      const limiters = redisLoginLimiters(connected(), settings, 'five:login:');
      expect((await limiters.account.penalty('ada')).consumedPoints).to.equal(1);
      expect((await limiters.account.penalty('ada')).consumedPoints).to.equal(2);
      expect((await limiters.account.get('ada'))?.consumedPoints).to.equal(2);
      expect(await limiters.account.delete('ada')).to.equal(true);
      expect(await limiters.account.get('ada')).to.equal(null);
    });
  });
});
