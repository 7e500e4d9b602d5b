import { authRoutes } from '../../src';
import { AdminController } from './admin-controller';
import { HealthController } from './health-controller';
import { UserController } from './user-controller';
import { UserRecordController } from './user-record-controller';
import { WellKnownController } from './well-known-controller';

/**
 * The library's auth routes as the demo mounts them: the bearer routes, the password change,
 * registration, email verification, password reset, the second factor and the cookie routes for the page at
 * `/app/`.
 */
export const AUTH_ROUTES = authRoutes({
  cookies: true,
  registration: true,
  emailVerification: true,
  passwordReset: true,
  secondFactor: true,
});

/** The controllers of the demo's API: what the OpenAPI document describes. */
export const API_CONTROLLERS = [
  HealthController,
  ...AUTH_ROUTES,
  UserController,
  UserRecordController,
  AdminController,
  WellKnownController,
];
