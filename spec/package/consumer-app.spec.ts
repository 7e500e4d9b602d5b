// An application written the way the README shows, compiled and run from the packed package
// (spec/package/consumer-app/), as two instances on one Redis, on a Redis Cluster and through
// Sentinel, each started by the spec on loopback ports (spec/package/consumer-redis.ts), with a
// failover on the last two. Runs after `npm test`'s build; CONSUMER_PACKAGE_ROOT packs
// another checkout (a worktree), KEEP_CONSUMER_APP=1 keeps the temporary project. Alone:
// `npx mocha --no-config -r ts-node/register -r spec/helpers/setup.ts spec/package/consumer-app.spec.ts`
// (with the config, mocha adds this file to every spec of .mocharc.json's `spec`).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { hash } from 'bcrypt';
import { expect } from 'chai';
import { URI } from 'otpauth';
import type { TOTP } from 'otpauth';
import { untilTrue } from '../helpers/bounded-wait';
import { TEST_SECRET_KEY } from '../helpers/test-environment';
import type { Answer } from './consumer-instance';
import { ConsumerInstance } from './consumer-instance';
import type { ConsumerProject } from './consumer-project';
import { buildConsumerProject } from './consumer-project';
import type { ConsumerRedis } from './consumer-redis';
import { clusterRedis, sentinelRedis, singleRedis } from './consumer-redis';

const run = promisify(execFile);
/** The browser front end's origin the app allows (ALLOWED_ORIGINS). */
const FRONT_END = 'https://front.example.com';
const USERNAME = 'ada@example.com';
/** The seeded user's id, and so the hash tag of every key of theirs (one Cluster slot). */
const USER_KEYS = '{1}';
const PASSWORD = 'consumer-app-password';

/** Anything shaped like a JWT, and a line of a stack trace. */
const JWT = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/;
const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m;

/**
 * The wiring orders a README reader could write (spec/package/consumer-app/src/wiring/).
 * One keeps SECRET_KEY in code and one ACCESS_TOKEN_EXPIRE_MINUTES (7): there, the
 * environment holds no value a service could fall back on.
 */
const ORDERS: { wiring: string; env: Record<string, string> }[] = [
  { wiring: 'inline', env: { SECRET_KEY: TEST_SECRET_KEY } },
  {
    wiring: 'module-level',
    env: { SECRET_KEY: TEST_SECRET_KEY, ACCESS_TOKEN_EXPIRE_MINUTES: '7' },
  },
  { wiring: 'split', env: { SECRET_KEY: TEST_SECRET_KEY, ACCESS_TOKEN_EXPIRE_MINUTES: '7' } },
  { wiring: 'security-first', env: { ACCESS_TOKEN_EXPIRE_MINUTES: '7' } },
  { wiring: 'manual', env: { SECRET_KEY: TEST_SECRET_KEY, ACCESS_TOKEN_EXPIRE_MINUTES: '7' } },
];

/** Orders by name. */
function orders(...names: string[]): typeof ORDERS {
  return ORDERS.filter(({ wiring }) => names.includes(wiring));
}

/**
 * Where the app's Redis is, each started by the spec on loopback ports, and the wiring orders
 * run there: every order on one Redis; on a Cluster and through Sentinel (the client is the
 * only difference, `redis-security.ts`) one order each, and a failover.
 */
const DEPLOYMENTS: {
  name: string;
  start: () => Promise<ConsumerRedis>;
  orders: typeof ORDERS;
  /** Whether the start with the stores after `configureApp` is tried there. */
  lateWiring: boolean;
  /** Whether its master is killed under the app (a failover). */
  failover: boolean;
}[] = [
  { name: 'one Redis', start: singleRedis, orders: ORDERS, lateWiring: true, failover: false },
  {
    name: 'a Redis Cluster (3 masters, 1 replica each)',
    start: clusterRedis,
    orders: orders('inline'),
    lateWiring: false,
    failover: true,
  },
  {
    name: 'Redis through Sentinel (1 master, 1 replica, 3 sentinels)',
    start: sentinelRedis,
    orders: orders('split'),
    lateWiring: false,
    failover: true,
  },
];

function given<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} was not set up`);
  return value;
}

function pairOf(answer: Answer): { access_token: string; refresh_token: string } {
  expect(answer.status, 'a token pair').to.equal(200);
  const { access_token, refresh_token } = answer.body;
  if (typeof access_token !== 'string' || typeof refresh_token !== 'string') {
    throw new Error('the answer holds no token pair');
  }
  return { access_token, refresh_token };
}

describe('an app written from the README against the packed package: two instances', function () {
  // npm pack, npm install (warm cache) and tsc, once for every deployment and wiring order.
  this.timeout(90_000);
  let project: ConsumerProject | undefined;
  let seedHash = '';

  before(async () => {
    seedHash = await hash(PASSWORD, 4);
    project = await buildConsumerProject();
    const shared = [...project.compileErrors].filter(([file]) => !file.startsWith('src/wiring/'));
    if (shared.length > 0) {
      throw new Error(
        `the app does not compile:\n${shared.flatMap(([, lines]) => lines).join('\n')}`,
      );
    }
  });
  after(() => project?.remove());

  for (const deployment of DEPLOYMENTS) {
    describe(`on ${deployment.name}`, () => {
      let redis: ConsumerRedis | undefined;
      const R = (): ConsumerRedis => given(redis, deployment.name);
      before(async () => {
        redis = await deployment.start();
      });
      after(async () => {
        await redis?.stop();
      });

      if (deployment.lateWiring) describeLateWiring(R);
      for (const order of deployment.orders) describeOrder(R, order, deployment.failover);
    });
  }

  function describeLateWiring(R: () => ConsumerRedis): void {
    it('stops the start with one ConfigurationError line when the stores come after configureApp', async () => {
      const dir = given(project, 'the consumer project').dir;
      const errors = given(project, 'the consumer project').compileErrors.get('src/wiring/late.ts');
      if (errors !== undefined) throw new Error(`does not compile:\n${errors.join('\n')}`);
      const started = await run(process.execPath, [join(dir, 'dist', 'main.js')], {
        cwd: dir,
        timeout: 10_000,
        env: {
          PATH: process.env['PATH'] ?? '',
          WIRING: 'late',
          PORT: '0',
          SECRET_KEY: TEST_SECRET_KEY,
          ...R().env,
          REDIS_KEY_PREFIX: 'consumer-late:',
          ALLOWED_ORIGINS: FRONT_END,
          SEED_USER_NAME: USERNAME,
          SEED_USER_HASH: seedHash,
        },
      }).then(
        () => ({ code: 0, output: '' }),
        (error: { code?: number; stdout?: string; stderr?: string }) => ({
          code: error.code,
          output: `${error.stdout ?? ''}${error.stderr ?? ''}`,
        }),
      );
      expect(started.code, 'the exit code').to.equal(1);
      const lines = started.output.trim().split('\n');
      expect(lines, 'one line').to.have.length(1);
      expect(lines[0]).to.include('ConfigurationError: revocationStore came after');
      expect(STACK_LINE.test(started.output)).to.equal(false);
    });
  }

  function describeOrder(
    R: () => ConsumerRedis,
    { wiring, env }: (typeof ORDERS)[number],
    failover: boolean,
  ): void {
    describe(`wired ${wiring}`, () => {
      const prefix = `consumer-${wiring}:`;
      let a: ConsumerInstance | undefined;
      let b: ConsumerInstance | undefined;
      const A = (): ConsumerInstance => given(a, 'instance A');
      const B = (): ConsumerInstance => given(b, 'instance B');

      before(async () => {
        const dir = given(project, 'the consumer project').dir;
        const errors = given(project, 'the consumer project').compileErrors.get(
          `src/wiring/${wiring}.ts`,
        );
        if (errors !== undefined) throw new Error(`does not compile:\n${errors.join('\n')}`);
        await R().flush();
        const instanceEnv = {
          ...env,
          ...R().env,
          WIRING: wiring,
          REDIS_KEY_PREFIX: prefix,
          SEED_USER_NAME: USERNAME,
          SEED_USER_HASH: seedHash,
          BCRYPT_ROUNDS: '4',
          LOGIN_MAX_ATTEMPTS: '3',
          ALLOWED_ORIGINS: FRONT_END,
          TOTP_ENCRYPTION_KEY: 'consumer-app-totp-key-of-at-least-32-bytes',
        };
        const [first, second] = await Promise.allSettled([
          ConsumerInstance.start(dir, `${wiring} A`, instanceEnv),
          ConsumerInstance.start(dir, `${wiring} B`, instanceEnv),
        ]);
        if (first.status === 'fulfilled') a = first.value;
        if (second.status === 'fulfilled') b = second.value;
        for (const started of [first, second]) {
          if (started.status === 'rejected') throw started.reason;
        }
      });
      after(async () => {
        await a?.stop();
        await b?.stop();
      });

      it('logs in with the configured access token lifetime (expires_in 420)', async () => {
        const answer = await A().login(USERNAME, PASSWORD);
        expect(answer.status).to.equal(200);
        expect(answer.body['expires_in']).to.equal(420);
      });

      it("answers GET /users/me on B with A's access token, from the app's user table", async () => {
        const pair = pairOf(await A().login(USERNAME, PASSWORD));
        const me = await B().me(pair.access_token);
        expect(me.status).to.equal(200);
        expect(me.body).to.deep.equal({ id: '1', username: USERNAME, roles: ['user'] });
      });

      it('refuses on B a refresh token spent on A, and that ends the session', async () => {
        const first = pairOf(await A().login(USERNAME, PASSWORD));
        const second = pairOf(await A().refresh(first.refresh_token));
        expect((await B().refresh(first.refresh_token)).status, 'replayed on B').to.equal(401);
        expect((await A().refresh(second.refresh_token)).status, 'the new refresh token').to.equal(
          401,
        );
        expect((await B().me(second.access_token)).status, 'the new access token').to.equal(401);
      });

      it('refuses on A an access token logged out on B', async () => {
        const pair = pairOf(await A().login(USERNAME, PASSWORD));
        expect((await A().me(pair.access_token)).status, 'before the logout').to.equal(200);
        expect((await B().logout(pair.access_token)).status, 'the logout').to.equal(204);
        expect((await A().me(pair.access_token)).status, 'after the logout').to.equal(401);
      });

      it('keeps the revocation state in Redis, under the configured prefix', async () => {
        const pair = pairOf(await A().login(USERNAME, PASSWORD));
        const next = pairOf(await B().refresh(pair.refresh_token));
        expect((await A().logout(next.access_token)).status).to.equal(204);
        expect(await R().keys(`${prefix}revocation:{*}:gen:*`), 'rotated sessions').not.to.be.empty;
        // A logout ends the session by its family: one entry, none per token.
        expect(await R().keys(`${prefix}revocation:{*}:jti:*`), 'revoked tokens').to.be.empty;
        expect(await R().keys(`${prefix}revocation:{*}:fam:*`), 'revoked families').not.to.be.empty;
      });

      it('serves a browser by cookie across A and B, with the CSRF checks', async () => {
        const login = await A().request('POST', '/auth/cookie/login', {
          headers: { origin: FRONT_END },
          body: { username: USERNAME, password: PASSWORD },
        });
        expect(login.status, 'the cookie login').to.equal(200);
        expect(JWT.test(JSON.stringify(login.body)), 'a token in the body').to.equal(false);
        const cookie = login.setCookies
          .map((line) => line.split(';')[0] ?? '')
          .filter((pair) => pair.startsWith('__Host-'))
          .join('; ');
        const csrf = String(login.body['csrf_token']);
        const me = await B().request('GET', '/users/me', { headers: { cookie } });
        expect(me.status, 'GET /users/me by cookie on B').to.equal(200);
        // The session A registered is listed on B (the registry beside the Redis store).
        const sessions = await B().request('GET', '/auth/sessions', { headers: { cookie } });
        expect(sessions.status, 'GET /auth/sessions on B').to.equal(200);
        const listed = sessions.body as unknown as { current: boolean }[];
        expect(listed.filter((session) => session.current)).to.have.length(1);
        const refused = await B().request('POST', '/auth/cookie/logout', {
          headers: { cookie, origin: FRONT_END },
        });
        expect([refused.status, refused.body['error']], 'no CSRF token').to.deep.equal([
          403,
          'csrf_failed',
        ]);
        const foreign = await B().request('POST', '/auth/cookie/logout', {
          headers: { cookie, origin: 'https://evil.example', 'x-csrf-token': csrf },
        });
        expect(foreign.status, 'another origin').to.equal(403);
        const logout = await B().request('POST', '/auth/cookie/logout', {
          headers: { cookie, origin: FRONT_END, 'x-csrf-token': csrf },
        });
        expect(logout.status, 'the logout').to.equal(204);
        expect((await A().request('GET', '/users/me', { headers: { cookie } })).status).to.equal(
          401,
        );
      });

      it('turns on a TOTP second factor: the login answers a challenge, a code gives the pair once', async () => {
        const pair = pairOf(await A().login(USERNAME, PASSWORD));
        const enrolment = await A().request('POST', '/auth/2fa/enroll', {
          token: pair.access_token,
        });
        expect(enrolment.status, 'the enrolment').to.equal(200);
        const totp = URI.parse(String(enrolment.body['otpauth_url'])) as TOTP;
        const recovery = enrolment.body['recovery_codes'] as string[];
        // The step before now (within the window): the next code is of a later one.
        const confirm = totp.generate({ timestamp: Date.now() - 30_000 });
        const confirmed = await A().request('POST', '/auth/2fa/confirm', {
          token: pair.access_token,
          body: { code: confirm },
        });
        expect(confirmed.status, 'the confirmation').to.equal(204);
        const first = await A().login(USERNAME, PASSWORD);
        expect(first.status).to.equal(200);
        expect(first.body['mfa_required'], 'a challenge, no token').to.equal(true);
        expect(JSON.stringify(first.body)).not.to.match(/access_token/);
        const code = totp.generate({ timestamp: Date.now() });
        const verify = (challenge: unknown) =>
          A().request('POST', '/auth/2fa/verify', { body: { challenge, code } });
        pairOf(await verify(first.body['challenge']));
        const again = await A().login(USERNAME, PASSWORD);
        expect((await verify(again.body['challenge'])).status, 'the code replayed').to.equal(401);
        const second = pairOf(
          await A().request('POST', '/auth/2fa/verify', {
            body: { challenge: again.body['challenge'], code: recovery[0] },
          }),
        );
        // Off again with another recovery code: the orders' other specs log in with the password.
        const off = await A().request('POST', '/auth/2fa/disable', {
          token: second.access_token,
          body: { code: recovery[1] },
        });
        expect(off.status, 'turned off').to.equal(204);
        pairOf(await A().login(USERNAME, PASSWORD));
      });

      if (failover) {
        it('keeps a logout and a spent refresh answered before the master is killed, and serves again by itself once the replica is promoted', async function () {
          // A failover, the killed node's restart and its resync: real processes, bounded.
          this.timeout(120_000);
          const { failover: servers } = R();
          if (servers === undefined) throw new Error('this deployment has no replica to promote');
          const kept = pairOf(await A().login(USERNAME, PASSWORD));
          const loggedOut = pairOf(await A().login(USERNAME, PASSWORD));
          expect((await B().logout(loggedOut.access_token)).status, 'the logout').to.equal(204);
          // A session of its own, never logged out: only its rotation says the token is spent.
          const spent = pairOf(await A().login(USERNAME, PASSWORD));
          const next = pairOf(await B().refresh(spent.refresh_token));
          await servers.killMaster(USER_KEYS);
          // No restart of A or B: their clients find the promoted replica by themselves.
          await untilTrue('A and B serve the kept session again', async () => {
            const answers = await Promise.all([
              A().me(kept.access_token),
              B().me(kept.access_token),
            ]);
            return answers.every(({ status }) => status === 200);
          });
          for (const instance of [A(), B()]) {
            const out = await instance.me(loggedOut.access_token);
            expect(out.status, `the logged-out token on ${instance.name}`).to.equal(401);
            const rotated = await instance.me(next.access_token);
            expect(rotated.status, `the rotated session on ${instance.name}`).to.equal(200);
          }
          // Only reads until the killed node is back as a replica: a replay now would write (its
          // reuse ends the session) with no replica to acknowledge it.
          await servers.restartKilled();
          // Had the spend been lost with the master, the replay would rotate: 200, a new pair.
          const replayed = await A().refresh(spent.refresh_token);
          expect(replayed.status, 'the spent refresh token replayed').to.equal(401);
          expect(
            (await B().me(next.access_token)).status,
            'its session, ended by the reuse',
          ).to.equal(401);
          const fresh = pairOf(await B().login(USERNAME, PASSWORD));
          expect((await A().me(fresh.access_token)).status, 'a new login').to.equal(200);
          expect((await A().logout(fresh.access_token)).status, 'a new logout').to.equal(204);
          expect((await B().me(fresh.access_token)).status, 'after it').to.equal(401);
          expect((await B().me(kept.access_token)).status, 'the kept session').to.equal(200);
        });
      }

      // Locks the one user: after every other login of this order.
      it('locks the account after three failed logins spread over A and B: 429 on both', async () => {
        for (const [attempt, instance] of [A(), B(), A()].entries()) {
          const failed = await instance.login(USERNAME, 'wrong-password');
          expect(failed.status, `failed login ${attempt + 1} on ${instance.name}`).to.equal(401);
        }
        for (const instance of [A(), B()]) {
          const locked = await instance.login(USERNAME, PASSWORD);
          expect(locked.status, `the right password on ${instance.name}`).to.equal(429);
        }
        expect(await R().keys(`${prefix}login:*`), 'login counters').not.to.be.empty;
      });

      it('writes no stack trace and no token to stdout or stderr', () => {
        for (const instance of [A(), B()]) {
          const output = instance.output;
          expect(STACK_LINE.test(output), `a stack trace from ${instance.name}`).to.equal(false);
          expect(JWT.test(output), `a token from ${instance.name}`).to.equal(false);
          expect(output.includes(PASSWORD), `the password from ${instance.name}`).to.equal(false);
        }
      });
    });
  }
});
