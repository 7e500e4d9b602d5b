import { expect } from 'chai';
import type { DemoUser } from '../../demo/users/demo-user';
import { accessClaims } from '../helpers/claims-builder';
import {
  ADMIN,
  USER,
  bearerOf,
  catalogueHarness,
  expectCleanLogs,
  expectProblem,
} from '../helpers/catalogue';
import type { CatalogueHarness } from '../helpers/catalogue';
import { forgeToken } from '../helpers/forge-token';

describe('catalogue I: authorization', () => {
  let h: CatalogueHarness;
  beforeEach(async () => (h = await catalogueHarness()));
  afterEach(async () => {
    expectCleanLogs(h);
    await h.close();
  });

  const adminList = (token: string) => h.http().get('/admin/users').set(bearerOf(token));

  it('I1 @Authorized("admin") with no token → 401, not routing-controllers\' default 403', async () => {
    expectProblem(await h.http().get('/admin/users'), 401, 'authentication_required', 'bare');
  });

  it('I2 role missing → 403 insufficient_scope', async () => {
    const { access_token } = await h.login(USER.username, USER.password);
    expectProblem(await adminList(access_token), 403, 'insufficient_scope', 'insufficient_scope');
  });

  it('I3 roles claim missing, null or a string → 403, never a TypeError (and "superadmin" does not match "admin")', async () => {
    const { access_token } = await h.login(ADMIN.username, ADMIN.password);
    for (const roles of [undefined, null, 'admin', ['superadmin'], [{ role: 'admin' }]]) {
      await h.updateUser(1, { roles: roles as DemoUser['roles'] });
      expectProblem(await adminList(access_token), 403, 'insufficient_scope', 'insufficient_scope');
    }
    const forged = forgeToken(
      { alg: 'HS256' },
      accessClaims(h.clock, { sub: '2', roles: 'admin' }),
    );
    expectProblem(await adminList(forged), 403, 'insufficient_scope', 'insufficient_scope');
    expect(h.logs.join('\n')).not.to.contain('server_error');
  });

  it('I4 role names match exactly ("Admin", "admin " are other roles)', async () => {
    const { access_token } = await h.login(ADMIN.username, ADMIN.password);
    for (const roles of [['Admin'], ['admin '], [' admin'], ['ADMIN']]) {
      await h.updateUser(1, { roles });
      expectProblem(await adminList(access_token), 403, 'insufficient_scope', 'insufficient_scope');
    }
    await h.updateUser(1, { roles: ['admin'] });
    expect((await adminList(access_token)).status).to.equal(200);
  });

  it('I5 a user demoted or deactivated while holding a valid token loses access on the next request', async () => {
    const { access_token } = await h.login(ADMIN.username, ADMIN.password);
    expect((await adminList(access_token)).status).to.equal(200);
    await h.updateUser(1, { roles: ['user'] });
    expectProblem(await adminList(access_token), 403, 'insufficient_scope', 'insufficient_scope');
    await h.updateUser(1, { is_active: false });
    expectProblem(
      await h.http().get('/users/me').set(bearerOf(access_token)),
      401,
      'invalid_token',
      'invalid_token',
    );
  });

  it('I6 @CurrentUser() on a route with a forged token → 401, never a decoded-but-unverified user', async () => {
    const forged = forgeToken(
      { alg: 'HS256' },
      accessClaims(h.clock, { sub: '1', roles: ['admin'] }),
      {
        key: 'not-the-server-key-but-long-enough-to-look-real',
      },
    );
    for (const call of [
      () => h.http().get('/users/me').set(bearerOf(forged)),
      () => h.http().post('/auth/logout-all').set(bearerOf(forged)),
    ]) {
      const response = await call();
      expectProblem(response, 401, 'invalid_token', 'invalid_token');
      expect(response.text).not.to.contain('admin@example.com');
    }
  });
});
