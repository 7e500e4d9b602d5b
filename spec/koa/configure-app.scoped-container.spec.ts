import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import Koa from 'koa';
import { Get, JsonController } from 'routing-controllers';
import { Container, Service } from 'typedi';
import { SECURITY_SETTINGS } from '../../src/container/injection-tokens';
import { configureApp } from '../../src/koa/configure-app';
import { TEST_SECRET_KEY } from '../helpers/test-environment';

@Service()
@JsonController('/scoped-x')
class ScopedXController {
  @Get() x(): unknown {
    return {};
  }
}

describe('configureApp on a scoped container, with no security option', () => {
  const saved = { ...process.env };
  before(() => Object.assign(process.env, { SECRET_KEY: TEST_SECRET_KEY, BCRYPT_ROUNDS: '4' }));
  after(() => {
    for (const name of ['SECRET_KEY', 'BCRYPT_ROUNDS']) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it('configures that container from the environment: configureApp is a configuration call', () => {
    const container = Container.of(`empty-scope-${randomUUID()}`);
    configureApp(new Koa(), { controllers: [ScopedXController], container });
    expect(container.get(SECURITY_SETTINGS).BCRYPT_ROUNDS).to.equal(4);
  });
});
