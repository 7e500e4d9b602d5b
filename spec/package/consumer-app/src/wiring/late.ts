import Koa from 'koa';
import { configureApp, configureSecurity } from '@fastcore/security';
import { AppSettings } from '../app-settings';
import { controllers, transports } from '../controllers';
import { DatabaseUserAuthentication } from '../database-user-authentication';
import { onServerError } from '../log';
import { redisSecurity } from '../redis-security';

/** The stores given after `configureApp` built the services: must stop the start, not be ignored. */
export function createApp(): Koa {
  const settings = new AppSettings();
  const app = new Koa();
  configureApp(app, {
    controllers,
    transports,
    settings,
    userAuthentication: new DatabaseUserAuthentication(),
    onServerError,
  });
  const { revocationStore, loginLimiters } = redisSecurity(settings);
  configureSecurity({ revocationStore, loginLimiters });
  return app;
}
