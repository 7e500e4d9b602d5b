import Koa from 'koa';
import { useKoaServer } from 'routing-controllers';
import { configureSecurity, routingControllersOptions } from '@fastcore/security';
import { AppSettings } from '../app-settings';
import { controllers, transports } from '../controllers';
import { DatabaseUserAuthentication } from '../database-user-authentication';
import { onServerError } from '../log';
import { redisSecurity } from '../redis-security';

/** Bootstrapping routing-controllers oneself: `configureSecurity`, then `useKoaServer`. */
export function createApp(): Koa {
  const settings = new AppSettings();
  const { revocationStore, loginLimiters } = redisSecurity(settings);
  const auth = new DatabaseUserAuthentication();
  configureSecurity({
    settings,
    transports,
    revocationStore,
    loginLimiters,
    userAuthentication: auth,
  });
  const app = new Koa();
  useKoaServer(app, { controllers, ...routingControllersOptions(app, { onServerError }) });
  return app;
}
