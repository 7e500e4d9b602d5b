import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import Koa from 'koa';
import { Get, JsonController } from 'routing-controllers';
import request from 'supertest';
import { Container, Service } from 'typedi';
import { BaseAppSettings } from '../../src/config/base-app-settings';
import { configureApp } from '../../src/koa/configure-app';
import { testEnvironment } from '../helpers/test-environment';

@Service()
@JsonController('/odd')
class OddController {
  @Get() odd(): unknown {
    // e.g. a library that puts a structured value in `message`
    throw Object.assign(new Error('x'), {
      message: { detail: 'token eyJhbGciOi.eyJzdWIiOiIx.c2lnbmF0dXJl' },
    });
  }
}

describe('the error layer when the default reporter throws', () => {
  it('still answers the generic 500 and writes one JSON line', async () => {
    const app = new Koa();
    configureApp(app, {
      controllers: [OddController],
      settings: new BaseAppSettings(testEnvironment()),
      container: Container.of(`odd-${randomUUID()}`),
    });
    const written: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = (chunk: string) => {
      written.push(String(chunk));
      return true;
    };
    let response;
    try {
      response = await request(app.callback()).get('/odd');
    } finally {
      process.stderr.write = original;
    }
    expect(written, 'one line, from our reporter').to.have.length(1);
    expect(JSON.parse(written[0] ?? '')).to.include({ event: 'server_error' });
    expect(response.body).to.deep.equal({
      error: 'server_error',
      error_description: 'The server could not handle the request.',
    });
  });
});
