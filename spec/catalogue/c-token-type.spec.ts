import { expect } from 'chai';
import {
  USER,
  bearerOf,
  catalogueHarness,
  expectCleanLogs,
  expectProblem,
} from '../helpers/catalogue';
import type { CatalogueHarness } from '../helpers/catalogue';
import { testEnvironment } from '../helpers/test-environment';
import { BaseAppSettings, TokenService, configureSecurity } from '../../src';
import { Container } from 'typedi';
import { randomUUID } from 'node:crypto';

describe('catalogue C: token type', () => {
  let h: CatalogueHarness;
  beforeEach(async () => (h = await catalogueHarness({ JWT_AUDIENCE: 'demo-api' })));
  afterEach(async () => {
    expectCleanLogs(h);
    await h.close();
  });

  it('C1 refresh token sent as a bearer access token → 401', async () => {
    const pair = await h.login(USER.username, USER.password);
    expectProblem(
      await h.http().get('/users/me').set(bearerOf(pair.refresh_token)),
      401,
      'invalid_token',
      'invalid_token',
    );
  });

  it('C2 access token sent to /auth/refresh → 401', async () => {
    const pair = await h.login(USER.username, USER.password);
    expectProblem(
      await h.http().post('/auth/refresh').send({ refresh_token: pair.access_token }),
      401,
      'invalid_token',
      'invalid_token',
    );
  });

  it('C3 a token of another audience signed with the same key → 401 when aud is configured', async () => {
    const other = configureSecurity(
      {
        settings: new BaseAppSettings(testEnvironment({ JWT_AUDIENCE: 'billing-api' })),
        clock: h.clock,
      },
      Container.of(randomUUID()),
    ).get(TokenService);
    const token = other.createAccessToken({ sub: '2', roles: ['user'] });
    h.secrets.push(token);
    expectProblem(
      await h.http().get('/users/me').set(bearerOf(token)),
      401,
      'invalid_token',
      'invalid_token',
    );
    const own = await h.login(USER.username, USER.password);
    expect((await h.http().get('/users/me').set(bearerOf(own.access_token))).status).to.equal(200);
  });
});
