import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import Koa from 'koa';
import compose from 'koa-compose';
import { Get, JsonController } from 'routing-controllers';
import request from 'supertest';
import { Container, Inject, Service } from 'typedi';
import { BaseAppSettings } from '../../src/config/base-app-settings';
import { SECURITY_SETTINGS } from '../../src/container/injection-tokens';
import { CurrentPrincipal } from '../../src/koa/current-principal';
import { configureApp } from '../../src/koa/configure-app';
import { MemoryRevocationStore } from '../../src/revocation/memory-revocation-store';
import { RevocationService } from '../../src/revocation/revocation-service';
import { TokenService } from '../../src/tokens/token-service';
import type { Principal } from '../../src/auth/principal';
import { testEnvironment } from '../helpers/test-environment';

@Service()
@JsonController('/admin')
class AdminController {
  constructor(@Inject(SECURITY_SETTINGS) private readonly settings: BaseAppSettings) {}
  @Get('/minutes') minutes() {
    return { minutes: this.settings.ACCESS_TOKEN_EXPIRE_MINUTES };
  }
  @Get('/whoami') whoami(@CurrentPrincipal() principal: Principal) {
    return { sub: principal.claims.sub };
  }
}

/** What koa-mount does: the sub-app's middleware, run on the parent's context. */
const mount = (sub: Koa): Koa.Middleware => {
  const run = compose(sub.middleware);
  return (ctx, next) => run(ctx, next);
};

describe('a configured sub-app run on a parent app (koa-mount)', () => {
  it('keeps its own container: settings and revocation store it was configured with', async () => {
    const container = Container.of(`admin-app-${randomUUID()}`);
    const store = new MemoryRevocationStore();
    const admin = new Koa();
    configureApp(admin, {
      controllers: [AdminController],
      container,
      settings: new BaseAppSettings(testEnvironment({ ACCESS_TOKEN_EXPIRE_MINUTES: '5' })),
      revocationStore: store,
    });
    const parent = new Koa();
    parent.use(mount(admin));
    const token = container.get(TokenService).createAccessToken({ sub: '7' });
    await container.get(RevocationService).revokeToken(token);

    const whoami = await request(parent.callback())
      .get('/admin/whoami')
      .set('Authorization', `Bearer ${token}`);
    const minutes = await request(parent.callback()).get('/admin/minutes');
    expect(whoami.status, 'a revoked token').to.equal(401);
    expect(minutes.body).to.deep.equal({ minutes: 5 });
  });
});
