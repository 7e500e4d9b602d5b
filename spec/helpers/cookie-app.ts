import { randomUUID } from 'node:crypto';
import Koa from 'koa';
import type { Response } from 'supertest';
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
import { FrozenClock } from './frozen-clock';
import type { TestUser } from './memory-users';
import { MemoryUsers } from './memory-users';
import { testEnvironment } from './test-environment';

/** The front end's origin the cookie apps of the specs allow. */
export const APP_ORIGIN = 'https://app.example.com';

/** `MemoryUsers` that can register (the adapter's optional `createUser`). */
export class RegisteringUsers extends MemoryUsers {
  override createUser(email: string, hashedPassword: string): Promise<TestUser | undefined> {
    const key = email.toLowerCase();
    if (this.users.has(key)) return Promise.resolve(undefined);
    const user: TestUser = {
      id: this.users.size + 1,
      email: key,
      hashed_password: hashedPassword,
      roles: ['user'],
      is_active: true,
    };
    this.users.set(key, user);
    return Promise.resolve(user);
  }
}

/** The application's own routes: a read and a state change, both by the current user. */
@Service()
@JsonController('/things')
export class ThingsController {
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

export interface CookieApp {
  app: Koa;
  container: ReturnType<typeof Container.of>;
  users: MemoryUsers;
  clock: FrozenClock;
  events: SecurityEvent[];
  errors: unknown[];
  changed: () => string[];
  http: () => ReturnType<typeof request>;
}

/**
 * A third party's app, wired as the README says: `configureApp` with `authRoutes` and the
 * transports given, users in memory (`user@example.com` / `user-password`), a frozen clock,
 * the audit trail and reported errors captured; the rest of `configureApp`'s options open.
 */
export async function cookieApp(
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
): Promise<CookieApp> {
  const container = Container.of(`cookie-app-${randomUUID()}`);
  const clock = options.clock ?? new FrozenClock(Date.now());
  const users = options.users ?? new RegisteringUsers();
  const app = new Koa();
  const errors: unknown[] = [];
  configureApp(app, {
    controllers: [
      ...authRoutes(options.routes ?? { cookies: true, registration: true }),
      ThingsController,
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
    changed: () => container.get(ThingsController).changed,
    http: () => request(app.callback()),
  };
}

/** One `Set-Cookie` header, parsed. */
export interface SetCookie {
  name: string;
  value: string;
  attributes: Record<string, string | true>;
}

/** The `Set-Cookie` headers of a response, by cookie name. */
export function setCookies(response: Response): Map<string, SetCookie> {
  const raw = response.headers['set-cookie'] as unknown as string[] | undefined;
  const cookies = new Map<string, SetCookie>();
  for (const line of raw ?? []) {
    const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
    const equals = pair.indexOf('=');
    const parsed: SetCookie = {
      name: pair.slice(0, equals),
      value: pair.slice(equals + 1),
      attributes: {},
    };
    for (const attribute of attributes) {
      const at = attribute.indexOf('=');
      if (at < 0) parsed.attributes[attribute.toLowerCase()] = true;
      else parsed.attributes[attribute.slice(0, at).toLowerCase()] = attribute.slice(at + 1);
    }
    cookies.set(parsed.name, parsed);
  }
  return cookies;
}

/** A browser's cookies after a cookie login, and the CSRF token the login answered. */
export interface CookieSessionState {
  access: string;
  refresh: string;
  csrf: string;
  /** `Cookie` header value for a route under `/` (the refresh cookie is not sent there). */
  cookie: string;
  /** `Cookie` header value for the refresh route. */
  refreshCookie: string;
}

export const ACCESS_COOKIE = '__Host-fastcore-access';
export const REFRESH_COOKIE = '__Secure-fastcore-refresh';
export const CSRF_COOKIE = '__Host-fastcore-csrf';

/** The session a cookie login or refresh response set. */
export function sessionOf(response: Response): CookieSessionState {
  const cookies = setCookies(response);
  const access = cookies.get(ACCESS_COOKIE)?.value ?? '';
  const refresh = cookies.get(REFRESH_COOKIE)?.value ?? '';
  const csrf = (response.body as { csrf_token?: string }).csrf_token ?? '';
  return {
    access,
    refresh,
    csrf,
    cookie: `${ACCESS_COOKIE}=${access}; ${CSRF_COOKIE}=${csrf}`,
    refreshCookie: `${REFRESH_COOKIE}=${refresh}; ${CSRF_COOKIE}=${csrf}`,
  };
}

/** Logs in by the cookie route from the allowed origin. */
export async function cookieLogin(
  app: CookieApp,
  username = 'user@example.com',
  password = 'user-password',
): Promise<CookieSessionState> {
  return sessionOf(await pageLogin(app, username, password).expect(200));
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
  app: CookieApp,
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
  app: CookieApp,
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

/** Logs in by the cookie route from the allowed page (the request, not yet sent). */
export function pageLogin(
  app: CookieApp,
  username = 'user@example.com',
  password = 'user-password',
  path = '/auth/cookie/login',
) {
  return app.http().post(path).set('Origin', APP_ORIGIN).send({ username, password });
}
