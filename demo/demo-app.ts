import { randomUUID } from 'node:crypto';
import Koa from 'koa';
import { Container } from 'typedi';
import type { ContainerInstance } from 'typedi';
import type { Clock } from '../src';
import { configureApp, configureSecurity } from '../src';
import { DemoSettings } from './config/demo-settings';
import { API_CONTROLLERS } from './controllers/demo-controllers';
import { DocsController } from './controllers/docs-controller';
import type { Logger } from './logging/json-logger';
import { DemoUserAuthentication } from './users/demo-user-authentication';
import { MemoryUserStore } from './users/memory-user-store';
import { seedDemoUsers } from './users/seed-demo-users';
import type { UserStore } from './users/user-store';

export interface DemoApp {
  app: Koa;
  settings: DemoSettings;
  container: ContainerInstance;
  users: DemoUserAuthentication;
  /** Emails of the demo users created at this start. */
  seeded: string[];
}

export interface DemoOptions {
  env?: NodeJS.ProcessEnv;
  logger: Logger;
  /** A frozen clock, in specs. */
  clock?: Clock;
  userStore?: UserStore;
}

/**
 * The reference application: the library wired with `configureApp`, in-memory users and
 * revocation, and the contract's routes. Throws `ConfigurationError` for bad settings.
 */
export async function createDemoApp(options: DemoOptions): Promise<DemoApp> {
  const settings = new DemoSettings(options.env ?? process.env);
  const container = Container.of(`fastcore-demo-${randomUUID()}`);
  configureSecurity({ settings, ...(options.clock ? { clock: options.clock } : {}) }, container);
  const users = new DemoUserAuthentication(options.userStore ?? new MemoryUserStore(), container);
  container.set(DemoUserAuthentication, users);
  const app = new Koa();
  app.proxy = false;
  configureApp(app, {
    controllers: [...API_CONTROLLERS, DocsController],
    container,
    userAuthentication: users,
    realm: 'fastcore-demo',
    onServerError: (error) =>
      options.logger.error('server_error', {
        name: error instanceof Error ? error.name : typeof error,
      }),
  });
  const seeded = await seedDemoUsers(users, settings.isProduction);
  return { app, settings, container, users, seeded };
}
