import { randomUUID } from 'node:crypto';
import Koa from 'koa';
import type { Cluster, Redis } from 'ioredis';
import { demoRedis } from './config/demo-redis';
import { Container } from 'typedi';
import type { ContainerInstance } from 'typedi';
import type { Clock, SecurityOptions } from '../src';
import {
  AccountLifecycle,
  AuditTrail,
  RedisRevocationStore,
  RedisSessionRegistry,
  StoreUnavailableError,
  configureApp,
  redisLoginLimiters,
  systemClock,
} from '../src';
import { demoAccessPolicy } from './config/demo-access-policy';
import { DemoSettings } from './config/demo-settings';
import { AppPageController } from './controllers/app-page-controller';
import { API_CONTROLLERS } from './controllers/demo-controllers';
import { DocsController } from './controllers/docs-controller';
import { securityHeaders } from './http/security-headers';
import { demoMailer } from './mail/demo-mailer';
import type { Logger } from './logging/json-logger';
import { DemoUserAuthentication } from './users/demo-user-authentication';
import { MemoryUserStore } from './users/memory-user-store';
import { createUserPool } from './users/pg-user-pool';
import type { UserPoolLimits } from './users/pg-user-pool';
import { PgUserStore } from './users/pg-user-store';
import { seedDemoUsers } from './users/seed-demo-users';
import type { UserStore } from './users/user-store';

export interface DemoApp {
  app: Koa;
  settings: DemoSettings;
  container: ContainerInstance;
  users: DemoUserAuthentication;
  /** Emails of the demo users created at this start (empty while PostgreSQL is down). */
  seeded: string[];
  /** Where users and revocations live: `memory`, `postgres`, `redis`. */
  stores: { users: 'memory' | 'postgres'; revocation: 'memory' | 'redis' };
  /** Delivers the account mails still queued (bounded), then closes SMTP, PostgreSQL, Redis. */
  close(): Promise<void>;
}

export interface DemoOptions {
  env?: NodeJS.ProcessEnv;
  logger: Logger;
  /** A frozen clock, in specs. */
  clock?: Clock;
  /** A user store made by the caller (specs); otherwise chosen by DATABASE_URL. */
  userStore?: UserStore;
  /** Small PostgreSQL timeouts, in specs. */
  userPoolLimits?: Partial<UserPoolLimits>;
}

/** How long the start waits for Redis to connect before checking its eviction policy. */
const REDIS_READY_WAIT_MS = 1500;

/**
 * How long closing waits for the account mails still queued (each delivery gives up within
 * the SMTP client's own timeouts): a reset asked for just before a shutdown is still mailed.
 */
const MAIL_DRAIN_WAIT_MS = 15_000;

/** How often seeding is tried again while PostgreSQL does not answer. */
const SEED_RETRY_MS = 2000;

/**
 * The reference application: the library wired with `configureApp`, users in memory or in
 * PostgreSQL (`DATABASE_URL`), revocation and login throttling in memory or in Redis
 * (`REDIS_URL`), and the contract's routes. Throws `ConfigurationError` for bad settings; a
 * store that is configured but down is not an error: the app answers 503 where it needs it
 * and recovers when it returns.
 */
export async function createDemoApp(options: DemoOptions): Promise<DemoApp> {
  const { logger } = options;
  const settings = new DemoSettings(options.env ?? process.env);
  const clock = options.clock ?? systemClock;
  const closers: (() => Promise<unknown>)[] = [];
  const security: SecurityOptions = {
    settings,
    clock,
    accessPolicy: demoAccessPolicy(),
    // The bearer header for API clients, the cookies for the page at /app/.
    transports: ['bearer', 'cookie'],
  };

  const configuredRedis = demoRedis(settings, (error) =>
    logger.warn('redis_unavailable', { name: error.name }),
  );
  if (configuredRedis !== undefined) {
    const redis = configuredRedis.client;
    closers.push(() => redis.quit().catch(() => redis.disconnect()));
    const revocationStore = new RedisRevocationStore(redis, {
      keyPrefix: `${settings.REDIS_KEY_PREFIX}revocation:`,
      clock,
    });
    // An evicting Redis refuses the start (ConfigurationError); a Redis down is not bad
    // configuration: the check waits for the next start.
    await untilReady(redis, REDIS_READY_WAIT_MS);
    const eviction = await revocationStore.checkEvictionPolicy().catch((error: unknown) => {
      if (error instanceof StoreUnavailableError) return 'unreachable' as const;
      throw error;
    });
    if (eviction !== 'safe') {
      logger.warn('redis_eviction_policy_unchecked', {
        message: `Redis eviction policy ${eviction === 'unknown' ? 'not readable (CONFIG refused)' : 'not checked (Redis unreachable)'}: it must be noeviction, or revoked tokens may work again`,
      });
    }
    security.revocationStore = revocationStore;
    security.sessionRegistry = new RedisSessionRegistry(redis, {
      keyPrefix: `${settings.REDIS_KEY_PREFIX}sessions:`,
      clock,
    });
    security.loginLimiters = redisLoginLimiters(
      redis,
      settings,
      `${settings.REDIS_KEY_PREFIX}login:`,
    );
  }

  let userStore = options.userStore;
  if (userStore === undefined && settings.DATABASE_URL !== undefined) {
    const pool = createUserPool(settings.DATABASE_URL, options.userPoolLimits);
    pool.on('error', (error) => logger.warn('postgres_unavailable', { name: error.name }));
    closers.push(() => pool.end());
    userStore = new PgUserStore(pool, () =>
      logger.error('users_email_collision', {
        message:
          'the users table holds emails that differ only in case: no unique index on lower(email); ' +
          'login takes the oldest such row and registration refuses such emails; merge the rows and restart',
      }),
    );
  }

  const container = Container.of(`fastcore-demo-${randomUUID()}`);
  const mailer = demoMailer(settings, logger);
  closers.push(() => Promise.resolve(mailer.close()));
  const users = new DemoUserAuthentication(userStore ?? new MemoryUserStore(), mailer);
  const app = new Koa();
  app.proxy = false;
  configureApp(app, {
    ...security,
    // The pages: not in API_CONTROLLERS, so not in the OpenAPI document.
    controllers: [...API_CONTROLLERS, DocsController, AppPageController],
    container,
    userAuthentication: users,
    realm: 'fastcore-demo',
    onServerError: (error) =>
      logger.error('server_error', { name: error instanceof Error ? error.name : typeof error }),
  });

  // Outermost, before the error layer: its headers are on every answer, errors included.
  app.middleware.unshift(securityHeaders());

  // Audit events as structured JSON lines: ids, addresses and times, never secrets.
  container
    .get(AuditTrail)
    .subscribe(({ type, time, ...fields }) =>
      logger.info(`audit.${type}`, { ...fields, at: time.toISOString() }),
    );

  const seeding = startSeeding(users, settings.isProduction, logger);
  closers.push(() => Promise.resolve(seeding.stop()));
  // First of all (the closers run in reverse): the queued mails still need the users and SMTP.
  closers.push(() => bounded(container.get(AccountLifecycle).idle(), MAIL_DRAIN_WAIT_MS));
  return {
    app,
    settings,
    container,
    users,
    seeded: await seeding.first,
    stores: {
      users:
        userStore === undefined || userStore instanceof MemoryUserStore ? 'memory' : 'postgres',
      revocation: configuredRedis === undefined ? 'memory' : 'redis',
    },
    close: async () => {
      for (const close of closers.reverse()) await close();
    },
  };
}

/** Seeds now; while the user store is down, tries again in the background until it answers. */
function startSeeding(
  users: DemoUserAuthentication,
  production: boolean,
  logger: Logger,
): { first: Promise<string[]>; stop: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const attempt = async (): Promise<string[]> => {
    try {
      const created = await seedDemoUsers(users, production);
      if (timer !== undefined && created.length > 0) {
        logger.info('demo_users_created', { emails: created, passwords: 'see README.md' });
      }
      return created;
    } catch {
      logger.warn('user_store_unavailable', { message: 'demo users not seeded yet; trying again' });
      timer = setTimeout(() => void attempt(), SEED_RETRY_MS);
      timer.unref();
      return [];
    }
  };
  return { first: attempt(), stop: () => clearTimeout(timer) };
}

/** Resolves when `work` does, or after `waitMs`, whichever comes first. */
function bounded(work: Promise<unknown>, waitMs: number): Promise<void> {
  return new Promise((done) => {
    const timer = setTimeout(done, waitMs);
    const finish = () => {
      clearTimeout(timer);
      done();
    };
    work.then(finish, finish);
  });
}

/** Resolves when the client is ready, or after `waitMs` (a Redis down is not an error here). */
function untilReady(redis: Redis | Cluster, waitMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return bounded(new Promise((ready) => redis.once('ready', ready)), waitMs);
}
