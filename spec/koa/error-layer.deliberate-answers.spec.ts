import { expect } from 'chai';
import Koa from 'koa';
import request from 'supertest';
import { securityErrorLayer } from '../../src/koa/error-layer';

/** The application's own answers, as it meant them, behind the error layer. */
function appAnswering(status: number, body: unknown, headers: Record<string, string> = {}) {
  const app = new Koa();
  const reported: unknown[] = [];
  app.use(securityErrorLayer({ onServerError: (error) => reported.push(error) }));
  app.use((ctx) => {
    ctx.status = status;
    ctx.body = body;
    ctx.set(headers);
  });
  return { server: app.callback(), reported };
}

describe('the error layer leaves the application’s deliberate answers alone (second review)', () => {
  const deliberate: [string, number, unknown][] = [
    ['an ERR_ code of its own among other fields', 409, { code: 'ERR_TOKEN_INVALID', detail: 'x' }],
    ['a `stack` field of its own (no error name)', 422, { stack: ['a', 'b'], items: [] }],
    ['a problem document', 400, { type: 'about:blank', title: 'Bad', status: 400 }],
    ['a plain text answer', 404, 'no such page'],
  ];
  for (const [what, status, body] of deliberate) {
    it(`keeps ${what} (${status})`, async () => {
      const { server, reported } = appAnswering(status, body);
      const answer = await request(server).get('/');
      expect(answer.status).to.equal(status);
      if (typeof body === 'string') expect(answer.text).to.equal(body);
      else expect(answer.body).to.deep.equal(body);
      expect(reported).to.have.length(0);
    });
  }

  it('keeps a Retry-After the application set on its own 503', async () => {
    const { server } = appAnswering(
      503,
      { code: 'ERR_STORE_UNAVAILABLE', message: 'down' },
      {
        'Retry-After': '7',
      },
    );
    const answer = await request(server).get('/');
    expect(answer.status).to.equal(503);
    expect(answer.body).to.deep.equal({
      error: 'temporarily_unavailable',
      error_description: answer.body.error_description,
    });
    expect(answer.headers['retry-after']).to.equal('7');
  });

  const foreign: [string, number, unknown][] = [
    [
      'a library error’s toJSON()',
      401,
      { code: 'ERR_TOKEN_INVALID', message: 'The token is invalid.' },
    ],
    [
      'a serialized error with its stack',
      400,
      { name: 'BadRequestError', message: 'x', stack: 'BadRequestError: x\n    at f (a.js:1:1)' },
    ],
    ['a stack as text', 400, 'TypeError: boom\n    at f (src/a.ts:1:1)'],
    ['any body of a 500', 500, 'db said: password=hunter2'],
  ];
  for (const [what, status, body] of foreign) {
    it(`still rewrites ${what} (${status}) into the contract's shape`, async () => {
      const { server } = appAnswering(status, body);
      const answer = await request(server).get('/');
      expect(answer.status).to.equal(status);
      expect(Object.keys(answer.body as object).sort()).to.deep.equal([
        'error',
        'error_description',
      ]);
      expect(answer.text).not.to.match(/stack|hunter2|at f/);
    });
  }
});
