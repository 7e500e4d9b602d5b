import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import Koa from 'koa';
import {
  Authorized,
  Body,
  Controller,
  Get,
  JsonController,
  Post,
  useKoaServer,
} from 'routing-controllers';
import { IsString } from 'class-validator';
import request from 'supertest';
import { Container, Service } from 'typedi';
import { BaseAppSettings } from '../../src/config/base-app-settings';
import { routingControllersOptions } from '../../src/koa/routing-controllers-options';
import { configureSecurity } from '../../src/security/configure-security';
import { testEnvironment } from '../helpers/test-environment';

class B {
  @IsString() name!: string;
}

@Service()
@Controller('/text')
class TextController {
  @Get('/defect') defect(): string {
    throw new Error('db said: duplicate key (email)=(alice@example.com) password=hunter2');
  }
}

@Service()
@JsonController('/json')
class JsonCtl {
  @Authorized() @Get('/me') me() {
    return { ok: true };
  }
  @Post('/body') body(@Body() b: B) {
    return b;
  }
}

describe('README "defaultErrorHandler: true after the spread" is covered by the error layer', () => {
  const serverErrors: unknown[] = [];
  const app = new Koa();
  before(() => {
    const container = configureSecurity(
      { settings: new BaseAppSettings(testEnvironment()) },
      Container.of(`deh-${randomUUID()}`),
    );
    useKoaServer(app, {
      controllers: [TextController, JsonCtl],
      ...routingControllersOptions(app, { container, onServerError: (e) => serverErrors.push(e) }),
      defaultErrorHandler: true,
    });
  });

  it('a text controller defect: generic 500, no message or stack in the body', async () => {
    const r = await request(app.callback()).get('/text/defect');
    expect(r.text).not.to.include('hunter2');
    expect(r.body).to.have.property('error', 'server_error');
  });

  it('an anonymous call to an @Authorized JSON route stays a 401', async () => {
    const r = await request(app.callback()).get('/json/me');
    expect(r.status).to.equal(401);
  });

  it('a 400 from validation carries no stack', async () => {
    const r = await request(app.callback()).post('/json/body').send({ name: 1 });
    expect(JSON.stringify(r.body)).not.to.include('    at ');
  });
});
