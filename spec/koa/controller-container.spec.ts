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

@Service()
@JsonController('/tenant')
class TenantController {
  @Get('/ping') ping() {
    return { tenant: true };
  }
}

@Service()
@JsonController('/api')
class ParentController {
  constructor(@Inject(SECURITY_SETTINGS) private readonly settings: BaseAppSettings) {}
  @Get('/me') me(@CurrentPrincipal() principal: Principal) {
    return { sub: principal.claims.sub };
  }
  @Get('/minutes') minutes() {
    return { minutes: this.settings.ACCESS_TOKEN_EXPIRE_MINUTES };
  }
}

const OTHER_KEY = 'Zq8wN3vB6xM1kL4jH7gF2dS5aP9oI0uY3tR6eW8qZ1xC4vB7nM2kL5jH8gF0dS3a';

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

  it('hands the request back to the parent with the parent’s container when its routes do not match', async () => {
    const child = new Koa();
    const childContainer = Container.of(`child-${randomUUID()}`);
    configureApp(child, {
      controllers: [TenantController],
      container: childContainer,
      settings: new BaseAppSettings(
        testEnvironment({ SECRET_KEY: OTHER_KEY, ACCESS_TOKEN_EXPIRE_MINUTES: '5' }),
      ),
    });
    const parent = new Koa();
    parent.use(mount(child));
    configureApp(parent, {
      controllers: [ParentController],
      container: Container.of(`parent-${randomUUID()}`),
      settings: new BaseAppSettings(testEnvironment({ ACCESS_TOKEN_EXPIRE_MINUTES: '30' })),
    });
    const childToken = childContainer.get(TokenService).createAccessToken({ sub: 'tenant-user' });
    const me = await request(parent.callback())
      .get('/api/me')
      .set('Authorization', `Bearer ${childToken}`);
    const minutes = await request(parent.callback()).get('/api/minutes');
    expect(minutes.body, 'the parent controller, from the parent container').to.deep.equal({
      minutes: 30,
    });
    expect(me.status, 'a token of the child’s key on the parent’s route').to.equal(401);
  });
});
