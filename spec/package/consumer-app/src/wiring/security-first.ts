import Koa from 'koa';
import { configureApp, configureSecurity } from '@fastcore/security';
import { AppSettings } from '../app-settings';
import { controllers, transports } from '../controllers';
import { DatabaseUserAuthentication } from '../database-user-authentication';
import { onServerError } from '../log';
import { redisSecurity } from '../redis-security';

/**
 * A code default for the key: this variant's environment has no SECRET_KEY. (A real app
 * keeps its key out of the code; here it proves that code defaults reach every service.)
 */
const SECRET_KEY = 'consumer-app-code-default-secret-key-0123456789-abcdefghijklmnop';

/** `configureSecurity` first, then the user class, then `configureApp` with it. */
export function createApp(): Koa {
  const settings = new AppSettings(process.env, { SECRET_KEY });
  const { revocationStore, loginLimiters } = redisSecurity(settings);
  configureSecurity({ settings, transports, revocationStore, loginLimiters });
  const auth = new DatabaseUserAuthentication();
  const app = new Koa();
  configureApp(app, { controllers, userAuthentication: auth, onServerError });
  return app;
}
