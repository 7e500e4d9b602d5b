import Koa from 'koa';
import { configureApp, configureSecurity } from '@fastcore/security';
import { AppSettings } from '../app-settings';
import { controllers, transports } from '../controllers';
import { DatabaseUserAuthentication } from '../database-user-authentication';
import { onServerError } from '../log';
import { redisSecurity } from '../redis-security';

/** `configureSecurity` without the user class, which `configureApp` gets. */
export function createApp(): Koa {
  const settings = new AppSettings();
  const { revocationStore, loginLimiters } = redisSecurity(settings);
  configureSecurity({ settings, transports, revocationStore, loginLimiters });
  const app = new Koa();
  configureApp(app, {
    controllers,
    userAuthentication: new DatabaseUserAuthentication(),
    onServerError,
  });
  return app;
}
