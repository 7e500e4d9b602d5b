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

describe('body parsing unshifted before the app’s own middleware', () => {
  const app = new Koa();
  before(() => {
    // The app's own routes, registered before the security wiring (webhooks, JSON Patch)
    const router = new Router();
    router.post('/webhook', async (ctx) => {
      const chunks: Buffer[] = [];
      for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
      ctx.body = { rawBytes: Buffer.concat(chunks).length }; // e.g. to verify a signature
    });
    router.patch('/docs/1', (ctx) => {
      ctx.body = {
        ops: (ctx.request as unknown as { body: unknown[] }).body?.length ?? 'unparsed',
      };
    });
    app.use(router.routes());
    const container = configureSecurity(
      { settings: new BaseAppSettings(testEnvironment()) },
      Container.of(randomUUID()),
    );
    useKoaServer(app, { controllers: [], ...routingControllersOptions(app, { container }) });
  });

  it('leaves a webhook’s raw body readable', async () => {
    const r = await request(app.callback()).post('/webhook').send({ id: 'evt_1' });
    expect(r.body.rawBytes).to.be.greaterThan(0);
  });

  it('accepts a JSON Patch (an array) on the app’s own route', async () => {
    const r = await request(app.callback())
      .patch('/docs/1')
      .set('Content-Type', 'application/json-patch+json')
      .send(JSON.stringify([{ op: 'replace', path: '/title', value: 'x' }]));
    expect(r.status).to.equal(200);
  });
});

describe('configureApp after the app’s own routes', () => {
  const app = new Koa();
  before(() => {
    const router = new Router();
    router.post('/webhook', async (ctx) => {
      const chunks: Buffer[] = [];
      for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
      ctx.body = { rawBytes: Buffer.concat(chunks).length };
    });
    router.patch('/docs/1', (ctx) => {
      ctx.body = {
        ops: (ctx.request as unknown as { body?: unknown[] }).body?.length ?? 'unparsed',
      };
    });
    app.use(router.routes());
    configureApp(app, {
      controllers: [],
      settings: new BaseAppSettings(testEnvironment()),
      container: Container.of(randomUUID()),
    });
  });
  it('leaves a webhook’s raw body readable', async () => {
    const r = await request(app.callback()).post('/webhook').send({ id: 'evt_1' });
    expect(r.body.rawBytes).to.be.greaterThan(0);
  });
  it('accepts a JSON Patch array on the app’s own route', async () => {
    const r = await request(app.callback())
      .patch('/docs/1')
      .set('Content-Type', 'application/json-patch+json')
      .send(JSON.stringify([{ op: 'remove', path: '/a' }]));
    expect(r.status).to.equal(200);
  });
});
