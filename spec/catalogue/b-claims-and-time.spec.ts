import { expect } from 'chai';
import { accessClaims } from '../helpers/claims-builder';
import {
  ADMIN,
  bearerOf,
  catalogueHarness,
  expectCleanLogs,
  expectProblem,
} from '../helpers/catalogue';
import type { CatalogueHarness } from '../helpers/catalogue';
import { forgeToken } from '../helpers/forge-token';

describe('catalogue B: claims and time', () => {
  let h: CatalogueHarness;
  beforeEach(async () => (h = await catalogueHarness()));
  afterEach(async () => {
    expectCleanLogs(h);
    await h.close();
  });

  const signed = (overrides: Record<string, unknown>) =>
    forgeToken({ alg: 'HS256' }, accessClaims(h.clock, { sub: '2', ...overrides }));
  const me = (token: string) => h.http().get('/users/me').set(bearerOf(token));
  const refused = async (token: string) =>
    expectProblem(await me(token), 401, 'invalid_token', 'invalid_token');

  it('control: the claims builder makes a token the demo accepts', async () => {
    expect((await me(signed({}))).status).to.equal(200);
  });

  it('B1 no exp, no jti, no sub, or no token type → 401', async () => {
    for (const claim of ['exp', 'jti', 'sub', 'type'])
      await refused(signed({ [claim]: undefined }));
  });

  it('B2 exp = now → 401; leeway, if any, is small (≤ 60 s) and configured', async () => {
    await refused(signed({ iat: h.clock.seconds - 60, exp: h.clock.seconds }));
    const lenient = await catalogueHarness({ JWT_LEEWAY_SECONDS: '30' });
    try {
      const token = forgeToken(
        { alg: 'HS256' },
        accessClaims(lenient.clock, {
          sub: '2',
          iat: lenient.clock.seconds - 60,
          exp: lenient.clock.seconds - 10,
        }),
      );
      expect((await lenient.http().get('/users/me').set(bearerOf(token))).status).to.equal(200);
    } finally {
      await lenient.close();
    }
    await catalogueHarness({ JWT_LEEWAY_SECONDS: '61' }).then(
      () => expect.fail('a leeway of 61 s was accepted'),
      (error: Error) =>
        expect(error.message).to.equal('JWT_LEEWAY_SECONDS must be an integer from 0 to 60'),
    );
  });

  it('B3 exp as a string, null, boolean, or absurd (1e308) → 401; exp − iat longer than the configured lifetime → 401', async () => {
    for (const exp of [String(h.clock.seconds + 600), null, true, 1e308])
      await refused(signed({ exp }));
    await refused(signed({ exp: h.clock.seconds + 30 * 60 + 1 }));
  });

  it('B4 nbf or iat in the future (beyond leeway) → 401', async () => {
    await refused(signed({ nbf: h.clock.seconds + 5 }));
    await refused(signed({ iat: h.clock.seconds + 5, exp: h.clock.seconds + 600 }));
  });

  it('B5 wrong iss/aud when configured → 401, without saying what was expected', async () => {
    const scoped = await catalogueHarness({
      JWT_ISSUER: 'https://auth.example',
      JWT_AUDIENCE: 'demo-api',
    });
    try {
      for (const overrides of [
        { iss: 'https://evil.example', aud: 'demo-api' },
        { iss: 'https://auth.example', aud: 'other-api' },
        { aud: 'demo-api' },
      ]) {
        const token = forgeToken(
          { alg: 'HS256' },
          accessClaims(scoped.clock, { sub: '2', ...overrides }),
        );
        const response = await scoped.http().get('/users/me').set(bearerOf(token));
        expectProblem(response, 401, 'invalid_token', 'invalid_token');
        expect(response.text).not.to.match(/auth\.example|demo-api/);
      }
      const good = await scoped.login('user@example.com', 'user-password');
      expect(
        (await scoped.http().get('/users/me').set(bearerOf(good.access_token))).status,
      ).to.equal(200);
    } finally {
      await scoped.close();
    }
  });

  it('B6 claims set that is not a JSON object → 401', async () => {
    for (const payload of ['"sub"', '["2"]', '42', 'null'])
      await refused(forgeToken({ alg: 'HS256' }, payload));
  });

  it('B7 sub of an unknown or inactive user → 401', async () => {
    await refused(signed({ sub: '999' }));
    await refused(signed({ sub: 'not-a-number' }));
    await h.updateUser(2, { is_active: false });
    await refused(signed({}));
  });

  it('B8 "__proto__": {"roles": ["admin"]} in a payload or a request body grants nothing', async () => {
    const json = JSON.stringify(accessClaims(h.clock, { sub: '2', roles: ['user'] })).replace(
      /}$/,
      ',"__proto__":{"roles":["admin"]}}',
    );
    const token = forgeToken({ alg: 'HS256' }, json);
    expectProblem(
      await h.http().get('/admin/users').set(bearerOf(token)),
      403,
      'insufficient_scope',
      'insufficient_scope',
    );
    const registered = await h
      .http()
      .post('/auth/register')
      .set('Content-Type', 'application/json')
      .send(
        '{"email":"proto@example.com","password":"proto-password","__proto__":{"roles":["admin"]}}',
      );
    if (registered.status === 201) expect(registered.body.roles).to.deep.equal(['user']);
    else expectProblem(registered, 400, 'invalid_request');
    const login = await h
      .http()
      .post('/auth/login')
      .set('Content-Type', 'application/json')
      .send(
        `{"username":"${ADMIN.username}","password":"wrong","__proto__":{"password":"${ADMIN.password}"}}`,
      );
    // Refused either way: by validation (400) or as a wrong password (401), never logged in.
    if (login.status === 400) expectProblem(login, 400, 'invalid_request');
    else expectProblem(login, 401, 'invalid_credentials', 'bare');
  });
});
