import { AdminController } from './admin-controller';
import { AuthController } from './auth-controller';
import { HealthController } from './health-controller';
import { UserController } from './user-controller';
import { UserRecordController } from './user-record-controller';
import { WellKnownController } from './well-known-controller';

/** The controllers of the demo's API: what the OpenAPI document describes. */
export const API_CONTROLLERS = [
  HealthController,
  AuthController,
  UserController,
  UserRecordController,
  AdminController,
  WellKnownController,
];
