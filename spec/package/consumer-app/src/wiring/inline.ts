import Koa from 'koa';
import { configureApp } from '@fastcore/security';
import { AppSettings } from '../app-settings';
import { controllers, transports } from '../controllers';
import { DatabaseUserAuthentication } from '../database-user-authentication';
import { onServerError } from '../log';
import { redisSecurity } from '../redis-security';

/**
 * Everything in the one `configureApp` literal; the user class is made inside it, so before
 * `configureApp` runs. The access token lifetime is a code default here (not in the env).
 */
export function createApp(): Koa {
  const settings = new AppSettings(process.env, { ACCESS_TOKEN_EXPIRE_MINUTES: 7 });
  const { revocationStore, loginLimiters } = redisSecurity(settings);
  const app = new Koa();
  configureApp(app, {
    controllers,
    transports,
    settings,
    revocationStore,
    loginLimiters,
    userAuthentication: new DatabaseUserAuthentication(),
    onServerError,
  });
  return app;
}
