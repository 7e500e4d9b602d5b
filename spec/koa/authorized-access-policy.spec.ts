import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import Koa from 'koa';
import { Authorized, Get, JsonController, Param } from 'routing-controllers';
import request from 'supertest';
import { Container, Inject, Service } from 'typedi';
import type { Principal } from '../../src/auth/principal';
import { AccessPolicy } from '../../src/authorization/access-policy';
import { BaseAppSettings } from '../../src/config/base-app-settings';
import { ACCESS_POLICY } from '../../src/container/injection-tokens';
import { configureSecurity } from '../../src/security/configure-security';
import { configureApp } from '../../src/koa/configure-app';
import { CurrentPrincipal } from '../../src/koa/current-principal';
import { TokenService } from '../../src/tokens/token-service';
import { FrozenClock } from '../helpers/frozen-clock';
import { testEnvironment } from '../helpers/test-environment';

@Service()
@JsonController('/policy')
class PolicyController {
  constructor(@Inject(ACCESS_POLICY) private readonly policy: AccessPolicy) {}

  @Authorized('user')
  @Get('/users-only')
  usersOnly(): unknown {
    return { ok: true };
  }

  @Authorized('posts:write')
  @Get('/write')
  write(): unknown {
    return { ok: true };
  }

  @Authorized(['users:read', 'auditor'])
  @Get('/directory')
  directory(): unknown {
    return { ok: true };
  }

  @Authorized()
  @Get('/notes/:owner')
  note(@Param('owner') owner: string, @CurrentPrincipal() principal: Principal): unknown {
    this.policy.assertOwnerOr(principal, owner, ['users:read']);
    return { owner };
  }
}

describe('@Authorized with a role hierarchy and permissions (HTTP)', () => {
  const clock = new FrozenClock();
  const container = Container.of(`policy-spec-${randomUUID()}`);
  configureSecurity(
    {
      settings: new BaseAppSettings(testEnvironment()),
      clock,
      accessPolicy: new AccessPolicy({
        hierarchy: { admin: ['editor'], editor: ['user'] },
        permissions: { editor: ['posts:write'], admin: ['users:read'] },
      }),
    },
    container,
  );
  const app = new Koa();
  configureApp(app, { controllers: [PolicyController], container });
  const tokens = container.get(TokenService);
  const as = (sub: string, roles: string[]) => ({
    Authorization: `Bearer ${tokens.createAccessToken({ sub, roles })}`,
  });
  const get = (path: string, headers: Record<string, string>) =>
    request(app.callback()).get(path).set(headers);

  it('admits a role through the roles that include it', async () => {
    for (const roles of [['user'], ['editor'], ['admin']]) {
      await get('/policy/users-only', as('1', roles)).expect(200);
    }
    await get('/policy/users-only', as('1', ['guest'])).expect(403);
  });

  it('admits a permission through any role granted it, directly or by inclusion', async () => {
    await get('/policy/write', as('1', ['editor'])).expect(200);
    await get('/policy/write', as('1', ['admin'])).expect(200);
    const denied = await get('/policy/write', as('1', ['user'])).expect(403);
    expect(denied.body).to.deep.equal({
      error: 'insufficient_scope',
      error_description: 'The token does not grant access to this resource.',
    });
    expect(denied.headers['www-authenticate']).to.contain('error="insufficient_scope"');
  });

  it('mixes roles and permissions in one requirement: any one suffices', async () => {
    await get('/policy/directory', as('1', ['admin'])).expect(200);
    await get('/policy/directory', as('1', ['auditor'])).expect(200);
    await get('/policy/directory', as('1', ['editor'])).expect(403);
  });

  it('owner or admin: the owner and an admin pass, anyone else gets 403, nobody 401', async () => {
    await get('/policy/notes/7', as('7', ['user'])).expect(200, { owner: '7' });
    await get('/policy/notes/7', as('1', ['admin'])).expect(200, { owner: '7' });
    const other = await get('/policy/notes/7', as('8', ['editor'])).expect(403);
    expect(other.body).to.include({ error: 'insufficient_scope' });
    await request(app.callback()).get('/policy/notes/7').expect(401);
  });
});
