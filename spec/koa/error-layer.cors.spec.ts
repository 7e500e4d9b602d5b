import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import Koa from 'koa';
import { Authorized, Get, JsonController } from 'routing-controllers';
import request from 'supertest';
import { Container, Service } from 'typedi';
import { BaseAppSettings } from '../../src/config/base-app-settings';
import { configureApp } from '../../src/koa/configure-app';
import { testEnvironment } from '../helpers/test-environment';

@Service()
@JsonController('/me')
class MeController {
  @Authorized() @Get() me() {
    return {};
  }
}

describe('CORS registered before configureApp', () => {
  it('a cross-origin SPA can read the 401 (Access-Control-Allow-Origin kept on error answers)', async () => {
    const app = new Koa();
    // what @koa/cors does for a simple request: set the header, then run the rest
    app.use(async (ctx, next) => {
      ctx.set('Access-Control-Allow-Origin', 'https://spa.example');
      ctx.set('Vary', 'Origin');
      await next();
    });
    configureApp(app, {
      controllers: [MeController],
      settings: new BaseAppSettings(testEnvironment()),
      container: Container.of(randomUUID()),
    });
    const r = await request(app.callback()).get('/me').set('Origin', 'https://spa.example');
    expect(r.status).to.equal(401);
    expect(r.headers['access-control-allow-origin']).to.equal('https://spa.example');
  });
});
