import { randomUUID } from 'node:crypto';
import Koa from 'koa';
import request from 'supertest';
import {
  Authorized,
  CurrentUser,
  Delete,
  Get,
  JsonController,
  Patch,
  Post,
  Put,
} from 'routing-controllers';
import { Container, Service } from 'typedi';
import { AuditTrail } from '../../src/audit/audit-trail';
import type { SecurityEvent } from '../../src/audit/security-event';
import { BaseAppSettings } from '../../src/config/base-app-settings';
import type { Environment } from '../../src/config/env-reader';
import { StoreUnavailableError } from '../../src/errors/security-errors';
import type { ConfigureAppOptions } from '../../src/koa/configure-app';
import { configureApp } from '../../src/koa/configure-app';
import { MemoryRevocationStore } from '../../src/revocation/memory-revocation-store';
import type { RevocationStore } from '../../src/revocation/revocation-store';
import type { AuthRoutesOptions } from '../../src/routes/auth-routes';
import { authRoutes } from '../../src/routes/auth-routes';
import { APP_ORIGIN, RegisteringUsers } from './cookie-app';
import type { CookieSessionState } from './cookie-app';
import { FrozenClock } from './frozen-clock';
import type { TestUser } from './memory-users';
import { MemoryUsers } from './memory-users';
import { testEnvironment } from './test-environment';

/** The application's own routes: a read and a state change, both by the current user. */
@Service()
@JsonController('/things')
export class AttackThings {
  readonly changed: string[] = [];

  @Authorized()
  @Get('/mine')
  mine(@CurrentUser({ required: true }) user: TestUser): unknown {
    return { email: user.email };
  }

  /** A public page that greets a signed-in user: the user is optional. */
  @Get('/public')
  greet(@CurrentUser() user?: TestUser): unknown {
    return { hello: user?.email ?? 'anonymous' };
  }

  @Authorized()
  @Post('/change')
  change(@CurrentUser({ required: true }) user: TestUser): unknown {
    this.changed.push(user.email);
    return { changed: true };
  }

  @Authorized()
  @Put('/change')
  put(@CurrentUser({ required: true }) user: TestUser): unknown {
    this.changed.push(`PUT ${user.email}`);
    return { changed: true };
  }

  @Authorized()
  @Patch('/change')
  patch(@CurrentUser({ required: true }) user: TestUser): unknown {
    this.changed.push(`PATCH ${user.email}`);
    return { changed: true };
  }

  @Authorized()
  @Delete('/change')
  remove(@CurrentUser({ required: true }) user: TestUser): unknown {
    this.changed.push(`DELETE ${user.email}`);
    return { changed: true };
  }
}

export interface AttackApp {
  app: Koa;
  container: ReturnType<typeof Container.of>;
  users: MemoryUsers;
  clock: FrozenClock;
  events: SecurityEvent[];
  errors: unknown[];
  changed: () => string[];
  http: () => ReturnType<typeof request>;
}

/** Like `cookieApp`, with more of `configureApp`'s options open to the attacker. */
export async function attackApp(
  options: {
    transports?: ConfigureAppOptions['transports'];
    routes?: AuthRoutesOptions;
    env?: Environment;
    revocationStore?: RevocationStore;
    users?: MemoryUsers;
    extra?: Partial<ConfigureAppOptions>;
    seed?: boolean;
    clock?: FrozenClock;
    /** The whole environment, instead of the test environment with ALLOWED_ORIGINS. */
    environment?: Environment;
  } = {},
): Promise<AttackApp> {
  const container = Container.of(`attack-app-${randomUUID()}`);
  const clock = options.clock ?? new FrozenClock(Date.now());
  const users = options.users ?? new RegisteringUsers();
  const app = new Koa();
  const errors: unknown[] = [];
  configureApp(app, {
    controllers: [
      ...authRoutes(options.routes ?? { cookies: true, registration: true }),
      AttackThings,
    ],
    container,
    clock,
    userAuthentication: users,
    transports: options.transports ?? ['bearer', 'cookie'],
    settings: new BaseAppSettings(
      options.environment ?? testEnvironment({ ALLOWED_ORIGINS: APP_ORIGIN, ...options.env }),
    ),
    revocationStore: options.revocationStore ?? new MemoryRevocationStore(clock),
    reportError: (_what, error) => {
      errors.push(error);
    },
    onServerError: (error) => {
      errors.push(error);
    },
    ...options.extra,
  });
  if (options.seed !== false) {
    await users.add('user@example.com', 'user-password');
    await users.add('other@example.com', 'other-password');
  }
  const events: SecurityEvent[] = [];
  container.get(AuditTrail).subscribe((event) => events.push(event));
  return {
    app,
    container,
    users,
    clock,
    events,
    errors,
    changed: () => container.get(AttackThings).changed,
    http: () => request(app.callback()),
  };
}

/** A store that can be switched down: every call then fails as a real store's would. */
export function switchableStore(real: RevocationStore): {
  store: RevocationStore;
  down: (value: boolean) => void;
  calls: string[];
} {
  let isDown = false;
  const calls: string[] = [];
  const store: RevocationStore = new Proxy(real, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(name));
        return isDown
          ? Promise.reject(new StoreUnavailableError())
          : (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, down: (value) => (isDown = value), calls };
}

/** A state-changing request exactly as the allowed page sends it. */
export function fromPage(
  app: AttackApp,
  session: CookieSessionState,
  path = '/things/change',
  method: 'post' | 'put' | 'patch' | 'delete' = 'post',
) {
  const agent = app.http();
  return agent[method](path)
    .set('Origin', APP_ORIGIN)
    .set('Cookie', session.cookie)
    .set('X-CSRF-Token', session.csrf);
}

/** The cookie refresh exactly as the allowed page sends it. */
export function pageRefresh(
  app: AttackApp,
  session: CookieSessionState,
  path = '/auth/cookie/refresh',
) {
  return app
    .http()
    .post(path)
    .set('Origin', APP_ORIGIN)
    .set('Cookie', session.refreshCookie)
    .set('X-CSRF-Token', session.csrf);
}

/** Logs in by the cookie route, as `cookieLogin` does, for an `AttackApp`. */
export function pageLogin(
  app: AttackApp,
  username = 'user@example.com',
  password = 'user-password',
  path = '/auth/cookie/login',
) {
  return app.http().post(path).set('Origin', APP_ORIGIN).send({ username, password });
}
