import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import Koa from 'koa';
import { Authorized, Get, JsonController, useKoaServer } from 'routing-controllers';
import request from 'supertest';
import { Container, Inject, Service } from 'typedi';
import { BaseAppSettings } from '../../src/config/base-app-settings';
import { SECURITY_SETTINGS } from '../../src/container/injection-tokens';
import { ConfigurationError } from '../../src/errors/security-errors';
import { createAuthorizationChecker } from '../../src/koa/security-checkers';
import { routingControllersOptions } from '../../src/koa/routing-controllers-options';
import { MemoryRevocationStore } from '../../src/revocation/memory-revocation-store';
import { configureSecurity } from '../../src/security/configure-security';
import { TokenService } from '../../src/tokens/token-service';
import { configurationErrorOf } from '../helpers/configuration-error';
import { testEnvironment } from '../helpers/test-environment';

@Service()
@JsonController('/manual')
class ManualController {
  constructor(
    @Inject(SECURITY_SETTINGS) private readonly settings: BaseAppSettings,
    private readonly tokens: TokenService,
  ) {}

  @Authorized()
  @Get('/me')
  me(): unknown {
    return { minutes: this.settings.ACCESS_TOKEN_EXPIRE_MINUTES, tokens: this.tokens !== null };
  }

  @Get('/defect')
  defect(): unknown {
    throw new Error('a defect with a secret in its message');
  }
}

describe('routingControllersOptions (useKoaServer wired by the application)', () => {
  const configured = () =>
    configureSecurity(
      {
        settings: new BaseAppSettings(testEnvironment({ ACCESS_TOKEN_EXPIRE_MINUTES: '9' })),
      },
      Container.of(`manual-spec-${randomUUID()}`),
    );

  /** The README's manual wiring; `overrides` come after the spread, as a user may write. */
  function manualApp(
    before?: Koa.Middleware,
    overrides: Partial<Parameters<typeof useKoaServer>[1]> = {},
  ) {
    const container = configured();
    const app = new Koa();
    if (before) app.use(before);
    const serverErrors: unknown[] = [];
    useKoaServer(app, {
      controllers: [ManualController],
      ...routingControllersOptions(app, {
        container,
        onServerError: (error) => serverErrors.push(error),
      }),
      ...overrides,
    });
    return { app, container, serverErrors };
  }

  it('is one spread: checkers, the container of the controllers, the contract’s errors', async () => {
    const { app, container } = manualApp();
    const token = container.get(TokenService).createAccessToken({ sub: '1' });
    const ok = await request(app.callback())
      .get('/manual/me')
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    expect(ok.body).to.deep.equal({ minutes: 9, tokens: true });
    const anonymous = await request(app.callback()).get('/manual/me').expect(401);
    expect(anonymous.body.error).to.equal('authentication_required');
    expect(anonymous.headers['www-authenticate']).to.match(/^Bearer realm="api"/);
  });

  it('puts the error layer first, whatever the app registered before', async () => {
    const { app, serverErrors } = manualApp(() => {
      throw new Error('from a middleware registered before');
    });
    const response = await request(app.callback()).get('/manual/me').expect(500);
    expect(response.body).to.deep.equal({
      error: 'server_error',
      error_description: 'The server could not handle the request.',
    });
    expect(serverErrors).to.have.length(1);
  });

  it('answers a defect with the generic 500, and reports the error', async () => {
    const { app, serverErrors } = manualApp();
    const response = await request(app.callback()).get('/manual/defect').expect(500);
    expect(JSON.stringify(response.body)).not.to.include('secret');
    expect((serverErrors[0] as Error).message).to.include('defect');
  });

  it('builds the security now: configuring the container afterwards throws', () => {
    const { container } = manualApp();
    const error = configurationErrorOf(() =>
      configureSecurity({ revocationStore: new MemoryRevocationStore() }, container),
    );
    expect(error.variable).to.equal('revocationStore');
  });

  it('refuses a second call for one app, and a container that was never configured', () => {
    const { app } = manualApp();
    expect(configurationErrorOf(() => routingControllersOptions(app)).variable).to.equal('app');
    const fresh = new Koa();
    const error = configurationErrorOf(() =>
      routingControllersOptions(fresh, { container: Container.of(`never-${randomUUID()}`) }),
    );
    expect(error.variable).to.equal('configureSecurity');
    expect(fresh.middleware, 'nothing installed').to.have.length(0);
  });

  it('replaces a 500 that routing-controllers’ own handler wrote with an error’s fields', async () => {
    // Unsafe: overrides the spread.
    const { app, serverErrors } = manualApp(undefined, {
      defaultErrorHandler: true,
      development: true,
    });
    const response = await request(app.callback()).get('/manual/defect').expect(500);
    expect(response.body).to.deep.equal({
      error: 'server_error',
      error_description: 'The server could not handle the request.',
    });
    expect(serverErrors).to.have.length(1);
  });

  it('checkers used without the error layer fail closed: never a 200', async () => {
    const container = configured();
    const app = new Koa();
    useKoaServer(app, {
      controllers: [ManualController],
      authorizationChecker: createAuthorizationChecker(container),
      defaultErrorHandler: false,
    });
    app.on('error', () => undefined);
    const token = container.get(TokenService).createAccessToken({ sub: '1' });
    const response = await request(app.callback())
      .get('/manual/me')
      .set('Authorization', `Bearer ${token}`);
    expect(response.status).to.equal(500);
    expect(response.text).not.to.include('minutes');
  });

  it('the configuration error of a checker without the error layer says what to do', async () => {
    const checker = createAuthorizationChecker(configured());
    const context = { state: {} };
    const error = await checker({ context } as never, []).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ConfigurationError);
    expect((error as Error).message).to.include('routingControllersOptions');
  });
});
