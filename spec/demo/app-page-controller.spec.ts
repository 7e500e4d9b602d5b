import { expect } from 'chai';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { APP_CONTENT_SECURITY_POLICY } from '../../demo/controllers/app-page-controller';
import { BaseAppSettings } from '../../src/config/base-app-settings';
import { cookieNames } from '../../src/transport/cookie-names';
import { demoHarness } from '../helpers/demo-harness';
import type { DemoHarness } from '../helpers/demo-harness';
import { rawRequest } from '../helpers/raw-http-client';
import { testEnvironment } from '../helpers/test-environment';

/** A directive of a policy: `[name, ...sources]`, or undefined. */
function directive(policy: string, name: string): string[] | undefined {
  return policy
    .split(';')
    .map((part) => part.trim().split(/\s+/))
    .find(([first]) => first === name);
}

describe('demo: the browser page at /app/', () => {
  let h: DemoHarness;
  let server: Server;
  let port: number;

  before(async () => {
    h = await demoHarness();
    // Raw requests need a port: an HTTP client library would tidy `..` out of a path.
    server = h.demo.app.listen(0, '127.0.0.1');
    await new Promise((ready) => server.once('listening', ready));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    await new Promise((done) => server.close(done));
    await h.close();
  });

  it('GET /app/: the HTML page with its own strict CSP, its script a module of its own', async () => {
    const page = await h
      .http()
      .get('/app/')
      .expect(200)
      .expect('Content-Type', /^text\/html/);
    expect(page.headers['content-security-policy']).to.equal(APP_CONTENT_SECURITY_POLICY);
    expect(page.headers['x-frame-options']).to.equal('DENY');
    expect(page.headers['cache-control']).to.equal('no-cache');
    for (const [name, ...sources] of [
      ['default-src', "'none'"],
      ['script-src', "'self'"],
      ['connect-src', "'self'"],
      ['form-action', "'self'"],
      ['frame-ancestors', "'none'"],
      ['base-uri', "'none'"],
    ] as const) {
      expect(directive(APP_CONTENT_SECURITY_POLICY, name)).to.deep.equal([name, ...sources]);
    }
    expect(APP_CONTENT_SECURITY_POLICY).not.to.match(/unsafe-inline|unsafe-eval|\*|https?:|data:/);
    // script-src 'self' holds only while every script is a file: no inline script, no handler.
    expect(page.text.match(/<script[^>]*>/g)).to.deep.equal([
      '<script type="module" src="/app/app.js">',
    ]);
    expect(page.text).not.to.match(/\son[a-z]+=/i);
    expect(page.text).to.match(/<form id="login" method="post" action="\/auth\/cookie\/login"/);
    // The session list starts empty and busy: the script fills it, with elements and text only.
    expect(page.text).to.contain('<ul id="session-list" aria-busy="true"></ul>');
    expect(page.text).to.match(/<button id="end-others" type="button" disabled>/);
  });

  it('GET /app is sent on to /app/', async () => {
    const answer = await h.http().get('/app').expect(301);
    expect(answer.headers['location']).to.equal('/app/');
  });

  it('the script as JavaScript, the style sheet as CSS; no token storage, no Authorization header', async () => {
    const script = await h
      .http()
      .get('/app/app.js')
      .expect(200)
      .expect('Content-Type', /^text\/javascript/);
    await h
      .http()
      .get('/app/app.css')
      .expect(200)
      .expect('Content-Type', /^text\/css/);
    expect(script.text).not.to.match(/localStorage|sessionStorage|Authorization/);
    // No HTML sink: text from the API (a user agent, any text a client sends) stays text.
    expect(script.text).not.to.match(
      /innerHTML|outerHTML|insertAdjacentHTML|document\.write|createContextualFragment|DOMParser/,
    );
    // The page finds the CSRF cookie whatever COOKIE_NAME_PREFIX and COOKIE_SECURE say.
    const pattern = /const CSRF_COOKIE = \/(.+)\/;/.exec(script.text)?.[1];
    const csrfCookie = new RegExp(pattern ?? '$^');
    for (const env of [{}, { COOKIE_NAME_PREFIX: 'my_app-2' }, { COOKIE_SECURE: 'false' }]) {
      const names = cookieNames(new BaseAppSettings(testEnvironment(env)).cookies);
      expect(csrfCookie.test(names.csrf), names.csrf).to.equal(true);
      expect(csrfCookie.test(names.access), names.access).to.equal(false);
      expect(csrfCookie.test(names.refresh), names.refresh).to.equal(false);
    }
  });

  it('is not in the OpenAPI document', async () => {
    const document = await h.http().get('/openapi.json').expect(200);
    expect(Object.keys(document.body.paths as object).filter((p) => p.startsWith('/app'))).to.be
      .empty;
  });

  it('unknown assets and the page under another name are 404', async () => {
    for (const path of [
      '/app/index.html',
      '/app/app.js.map',
      '/app/favicon.ico',
      '/app/APP.JS',
      '/app/app.js%00',
      '/app/%',
      '/app/sub/app.js',
      '/app//app.js',
    ]) {
      const answer = await h.http().get(path);
      expect(answer.status, path).to.equal(404);
      expect(answer.body.error, path).to.equal('not_found');
    }
  });

  it('no path traversal, literal or encoded: 404 and nothing of the file', async () => {
    for (const path of [
      '/app/../package.json',
      '/app/..%2Fpackage.json',
      '/app/..%2fpackage.json',
      '/app/%2e%2e%2fpackage.json',
      '/app/%2E%2E/package.json',
      '/app/..%5Cpackage.json',
      '/app/%252e%252e%252fpackage.json',
      '/app/..%2F..%2Fpackage.json',
      '/app/..%2F..%2Fdemo%2Fdemo-app.ts',
      '/app/../controllers/app-page-controller.ts',
      '/app/..%2Fcontrollers%2Fapp-page-controller.ts',
      '/app/%2Fetc%2Fpasswd',
    ]) {
      const answer = await rawRequest(
        port,
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
      );
      expect(answer.status, path).to.equal(404);
      expect(answer.body, path).to.contain('"not_found"');
      expect(answer.body, path).not.to.match(
        /@fastcore\/security"|createDemoApp|AppPageController|root:/,
      );
    }
  });
});
