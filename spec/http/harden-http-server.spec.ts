import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { hardenHttpServer } from '../../src';
import { demoHarness } from '../helpers/demo-harness';
import type { DemoHarness } from '../helpers/demo-harness';
import { rawRequest } from '../helpers/raw-http-client';
import type { RawAnswer } from '../helpers/raw-http-client';

/** Small timeouts, injected: a real server enforces them, the spec only bounds generously. */
const LIMITS = { headersTimeoutMs: 300, requestTimeoutMs: 600 };
/** Far above LIMITS, far below Node's own 300 s: the server closed it, not a default. */
const GENEROUS_MS = 5_000;

function expectContractBody(answer: RawAnswer, status: number, error: string): void {
  expect(answer.status).to.equal(status);
  expect(answer.headers['content-type']).to.match(/^application\/json/);
  expect(answer.headers['connection']).to.equal('close');
  expect(answer.headers['content-length']).to.equal(String(Buffer.byteLength(answer.body)));
  const body = JSON.parse(answer.body) as Record<string, unknown>;
  expect(Object.keys(body)).to.deep.equal(['error', 'error_description']);
  expect(body['error']).to.equal(error);
  expect(body['error_description']).to.be.a('string').and.not.equal('');
}

describe('hardenHttpServer: slow clients are cut off, and Node’s own answers are JSON', function () {
  let h: DemoHarness;
  let server: Server;
  let port: number;

  before(async () => {
    h = await demoHarness();
    const handle = h.demo.app.callback();
    server = hardenHttpServer(
      createServer((req, res) => void handle(req, res)),
      LIMITS,
    );
    server.listen(0, '127.0.0.1');
    await new Promise((ready) => server.once('listening', ready));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
    await h.close();
  });

  it('a body sent slowly after its headers is 408 request_timeout, within the configured bound', async () => {
    const answer = await rawRequest(
      port,
      'POST /auth/login HTTP/1.1\r\nHost: demo\r\nContent-Type: application/json\r\n' +
        'Content-Length: 200\r\n\r\n{',
      { trickle: Array.from({ length: 100 }, () => ' '), everyMs: 100 },
    );
    expectContractBody(answer, 408, 'request_timeout');
    expect(answer.closedAfterMs).to.be.below(GENEROUS_MS);
  });

  it('headers sent slowly are 408 request_timeout, within the configured bound', async () => {
    const answer = await rawRequest(port, 'GET /health HTTP/1.1\r\nHost: demo\r\nX-Slow: ', {
      trickle: Array.from({ length: 100 }, () => 'a'),
      everyMs: 50,
    });
    expectContractBody(answer, 408, 'request_timeout');
    expect(answer.closedAfterMs).to.be.below(GENEROUS_MS);
  });

  it('a malformed request line is 400 invalid_request, without quoting it', async () => {
    const answer = await rawRequest(port, 'G<script>alert(1)</script>ET / HTTP/1.1\r\n\r\n');
    expectContractBody(answer, 400, 'invalid_request');
    expect(answer.body).not.to.match(/<script>|alert/);
  });

  it('a malformed header is 400 invalid_request, without quoting it', async () => {
    const answer = await rawRequest(
      port,
      'GET / HTTP/1.1\r\nHost: demo\r\nBad Header\x01: v\r\n\r\n',
    );
    expectContractBody(answer, 400, 'invalid_request');
    expect(answer.body).not.to.contain('Bad');
  });

  it('headers over the size limit are 431 headers_too_large', async () => {
    const answer = await rawRequest(
      port,
      `GET /health HTTP/1.1\r\nHost: demo\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
    );
    expectContractBody(answer, 431, 'headers_too_large');
    expect(answer.body).not.to.contain('bbbb');
  });

  it('the server goes on answering honest requests', async () => {
    const answer = await rawRequest(
      port,
      'GET /health HTTP/1.1\r\nHost: demo\r\nConnection: close\r\n\r\n',
    );
    expect(answer.status).to.equal(200);
    expect(JSON.parse(answer.body)).to.deep.equal({ status: 'ok' });
    expect(h.logs.join('\n')).not.to.contain('server_error');
  });
});

describe('hardenHttpServer: its limits', () => {
  it('sets sane defaults, far below Node’s 300 s request timeout', () => {
    const server = hardenHttpServer(createServer());
    expect(server.requestTimeout).to.equal(30_000);
    expect(server.headersTimeout).to.equal(10_000);
    expect(server.keepAliveTimeout).to.equal(5_000);
    expect(server.timeout).to.equal(120_000);
  });

  it('takes every limit as given', () => {
    const server = hardenHttpServer(createServer(), {
      requestTimeoutMs: 20_000,
      headersTimeoutMs: 5_000,
      keepAliveTimeoutMs: 2_000,
      socketTimeoutMs: 0,
    });
    expect([
      server.requestTimeout,
      server.headersTimeout,
      server.keepAliveTimeout,
      server.timeout,
    ]).to.deep.equal([20_000, 5_000, 2_000, 0]);
  });

  it('refuses limits that are not integers, a headers timeout longer than the request’s', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => hardenHttpServer(createServer(), { requestTimeoutMs: bad })).to.throw(
        TypeError,
        'requestTimeoutMs must be an integer of at least 1',
      );
    }
    expect(() => hardenHttpServer(createServer(), { socketTimeoutMs: -1 })).to.throw(TypeError);
    expect(() =>
      hardenHttpServer(createServer(), { requestTimeoutMs: 1_000, headersTimeoutMs: 2_000 }),
    ).to.throw(TypeError, 'headersTimeoutMs must not be longer than requestTimeoutMs');
  });

  it('refuses a server hardened twice, or one that already listens', async () => {
    const twice = hardenHttpServer(createServer());
    expect(() => hardenHttpServer(twice)).to.throw(TypeError, 'already hardened');
    const listening = createServer().listen(0, '127.0.0.1');
    await new Promise((ready) => listening.once('listening', ready));
    try {
      expect(() => hardenHttpServer(listening)).to.throw(TypeError, 'before the server listens');
    } finally {
      await new Promise((done) => listening.close(done));
    }
  });
});
