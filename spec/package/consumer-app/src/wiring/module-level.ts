import Koa from 'koa';
import { configureApp, configureSecurity } from '@fastcore/security';
import { AppSettings } from '../app-settings';
import { controllers, transports } from '../controllers';
import { DatabaseUserAuthentication } from '../database-user-authentication';
import { onServerError } from '../log';
import { redisSecurity } from '../redis-security';

// The user class made when the module loads, as a singleton next to its class would be.
const auth = new DatabaseUserAuthentication();

/** `configureSecurity` with everything, the module-level user class included, then `configureApp`. */
export function createApp(): Koa {
  const settings = new AppSettings();
  const { revocationStore, loginLimiters } = redisSecurity(settings);
  configureSecurity({
    settings,
    transports,
    revocationStore,
    loginLimiters,
    userAuthentication: auth,
  });
  const app = new Koa();
  configureApp(app, { controllers, onServerError });
  return app;
}
