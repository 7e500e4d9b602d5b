import { authRoutes } from '@fastcore/security';
import type { TokenTransport } from '@fastcore/security';
import { UserController } from './user-controller';

/** The library's auth routes, with the cookie routes for a browser front end. */
export const controllers = [...authRoutes({ cookies: true, secondFactor: true }), UserController];

/** API clients send the bearer header; the browser front end, the cookies. */
export const transports: TokenTransport[] = ['bearer', 'cookie'];
