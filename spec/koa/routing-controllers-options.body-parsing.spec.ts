import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import Koa from 'koa';
import Router from '@koa/router';
import { useKoaServer } from 'routing-controllers';
import request from 'supertest';
import { Container } from 'typedi';
import { BaseAppSettings } from '../../src/config/base-app-settings';
import { configureApp } from '../../src/koa/configure-app';
import { routingControllersOptions } from '../../src/koa/routing-controllers-options';
import { configureSecurity } from '../../src/security/configure-security';
import { testEnvironment } from '../helpers/test-environment';

/** An app with routes of its own (a webhook that reads its raw body, a JSON Patch route). */
function appWithOwnRoutes(): Koa {
  const app = new Koa();
  const router = new Router();
  router.post('/webhook', async (ctx) => {
    const chunks: Buffer[] = [];
    for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
    ctx.body = { rawBytes: Buffer.concat(chunks).length }; // e.g. to verify a signature
  });
  router.patch('/docs/1', (ctx) => {
    ctx.body = { ops: (ctx.request as unknown as { body?: unknown[] }).body?.length ?? 0 };
  });
  app.use(router.routes());
  return app;
}

const settings = () => new BaseAppSettings(testEnvironment());

/** Secured after its own routes were registered, by either wiring. */
const WIRINGS: Record<string, () => Koa> = {
  'useKoaServer with routingControllersOptions': () => {
    const app = appWithOwnRoutes();
    const container = configureSecurity({ settings: settings() }, Container.of(randomUUID()));
    useKoaServer(app, { controllers: [], ...routingControllersOptions(app, { container }) });
    return app;
  },
  configureApp: () => {
    const app = appWithOwnRoutes();
    configureApp(app, {
      controllers: [],
      settings: settings(),
      container: Container.of(randomUUID()),
    });
    return app;
  },
};

for (const [wiring, make] of Object.entries(WIRINGS)) {
  describe(`body parsing leaves the app's own earlier routes alone (${wiring})`, () => {
    const app = make();

    it('a webhook reads its raw body', async () => {
      const r = await request(app.callback()).post('/webhook').send({ id: 'evt_1' });
      expect(r.body.rawBytes).to.be.greaterThan(0);
    });

    it('a JSON Patch (an array) reaches the route, not a 400', async () => {
      const r = await request(app.callback())
        .patch('/docs/1')
        .set('Content-Type', 'application/json-patch+json')
        .send(JSON.stringify([{ op: 'replace', path: '/title', value: 'x' }]));
      expect(r.status).to.equal(200);
    });
  });
}
