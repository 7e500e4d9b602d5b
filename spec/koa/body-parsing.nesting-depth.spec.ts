import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { IsString, MaxLength } from 'class-validator';
import Koa from 'koa';
import { Body, JsonController, Post, useKoaServer } from 'routing-controllers';
import request from 'supertest';
import { Container, Service } from 'typedi';
import { BaseAppSettings } from '../../src/config/base-app-settings';
import { configureApp } from '../../src/koa/configure-app';
import { routingControllersOptions } from '../../src/koa/routing-controllers-options';
import { configureSecurity } from '../../src/security/configure-security';
import { testEnvironment } from '../helpers/test-environment';

class NoteBody {
  @IsString()
  @MaxLength(100)
  text!: string;
}

@Service()
@JsonController('/depth')
class NoteController {
  @Post('/notes')
  create(@Body() body: NoteBody): unknown {
    return { text: body.text };
  }
}

/** `{"text":"x","extra":[[…depth…]]}`: the body itself is depth 1, so `extra` nests `depth - 1`. */
function nested(depth: number): string {
  return `{"text":"x","extra":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
}

interface Wired {
  app: Koa;
  serverErrors: unknown[];
}

const settings = () => new BaseAppSettings(testEnvironment());

const WIRINGS: Record<string, (maxBodyDepth?: number) => Wired> = {
  configureApp: (maxBodyDepth) => {
    const serverErrors: unknown[] = [];
    const app = new Koa();
    configureApp(app, {
      controllers: [NoteController],
      settings: settings(),
      container: Container.of(randomUUID()),
      onServerError: (error) => serverErrors.push(error),
      ...(maxBodyDepth === undefined ? {} : { maxBodyDepth }),
    });
    return { app, serverErrors };
  },
  'useKoaServer with routingControllersOptions': (maxBodyDepth) => {
    const serverErrors: unknown[] = [];
    const app = new Koa();
    const container = configureSecurity({ settings: settings() }, Container.of(randomUUID()));
    useKoaServer(app, {
      controllers: [NoteController],
      ...routingControllersOptions(app, {
        container,
        onServerError: (error) => serverErrors.push(error),
        ...(maxBodyDepth === undefined ? {} : { maxBodyDepth }),
      }),
    });
    return { app, serverErrors };
  },
};

const INVALID_REQUEST = {
  error: 'invalid_request',
  error_description: 'The request is invalid.',
};

for (const [wiring, wire] of Object.entries(WIRINGS)) {
  describe(`body parsing refuses bodies nested too deep, before class-transformer (${wiring})`, () => {
    it('a JSON body nested 1,500 deep (3 KB) is 400 invalid_request, not a 500', async () => {
      const { app, serverErrors } = wire();
      const r = await request(app.callback())
        .post('/depth/notes')
        .set('Content-Type', 'application/json')
        .send(nested(1500));
      expect(r.status).to.equal(400);
      expect(r.body).to.deep.equal(INVALID_REQUEST);
      expect(serverErrors).to.deep.equal([]);
    });

    it('the default limit is 32: depth 32 reaches the action, 33 is refused', async () => {
      const { app } = wire();
      const ok = await request(app.callback())
        .post('/depth/notes')
        .set('Content-Type', 'application/json')
        .send(nested(32));
      expect(ok.status).to.equal(200);
      expect(ok.body).to.deep.equal({ text: 'x' });
      const deep = await request(app.callback())
        .post('/depth/notes')
        .set('Content-Type', 'application/json')
        .send(nested(33));
      expect(deep.status).to.equal(400);
      expect(deep.body).to.deep.equal(INVALID_REQUEST);
    });

    it('maxBodyDepth sets the limit, for JSON and for forms alike', async () => {
      const { app } = wire(3);
      const send = (type: string, body: string) =>
        request(app.callback()).post('/depth/notes').set('Content-Type', type).send(body);
      expect((await send('application/json', nested(3))).status).to.equal(200);
      expect((await send('application/json', nested(4))).body).to.deep.equal(INVALID_REQUEST);
      const form = 'application/x-www-form-urlencoded';
      expect((await send(form, 'text=x&a[b][c]=1')).status).to.equal(200);
      const deepForm = await send(form, 'text=x&a[b][c][d]=1');
      expect(deepForm.status).to.equal(400);
      expect(deepForm.body).to.deep.equal(INVALID_REQUEST);
    });

    it('a wide but shallow body is not refused for its size of containers', async () => {
      const { app } = wire();
      const body = JSON.stringify({ text: 'x', extra: Array.from({ length: 500 }, () => [{}]) });
      const r = await request(app.callback())
        .post('/depth/notes')
        .set('Content-Type', 'application/json')
        .send(body);
      expect(r.status).to.equal(200);
    });

    it('a maxBodyDepth that is not a positive integer is a TypeError, before the app changes', () => {
      for (const bad of [0, -1, 1.5, Number.NaN]) {
        expect(() => wire(bad)).to.throw(TypeError, 'maxBodyDepth must be a positive integer');
      }
    });
  });
}
