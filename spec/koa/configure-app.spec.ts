import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { IsString, MaxLength } from 'class-validator';
import Koa from 'koa';
import {
  Authorized,
  Body,
  CurrentUser,
  Get,
  JsonController,
  Param,
  Post,
} from 'routing-controllers';
import request from 'supertest';
import { Container, Service } from 'typedi';
import { BaseAppSettings } from '../../src/config/base-app-settings';
import { configureSecurity } from '../../src/security/configure-security';
import { configureApp } from '../../src/koa/configure-app';
import { MemoryRevocationStore } from '../../src/revocation/memory-revocation-store';
import { MemorySessionRegistry } from '../../src/sessions/memory-session-registry';
import type { RevocationStore } from '../../src/revocation/revocation-store';
import { RevocationService } from '../../src/revocation/revocation-service';
import { TokenService } from '../../src/tokens/token-service';
import { forgeToken } from '../helpers/forge-token';
import { FrozenClock } from '../helpers/frozen-clock';
import { MemoryUsers } from '../helpers/memory-users';
import { testEnvironment } from '../helpers/test-environment';
import { unavailableStore } from '../helpers/unavailable-store';
import { accessClaims } from '../helpers/claims-builder';

class EchoBody {
  @IsString()
  @MaxLength(100)
  text!: string;
}

@Service()
@JsonController('/t')
class ProbeController {
  @Get('/public')
  open(): unknown {
    return { ok: true };
  }

  @Authorized()
  @Get('/me')
  me(@CurrentUser({ required: true }) user: unknown): unknown {
    return { user };
  }

  @Get('/optional')
  optional(@CurrentUser() user?: unknown): unknown {
    return { anonymous: user === undefined };
  }

  @Get('/required')
  required(@CurrentUser({ required: true }) user: unknown): unknown {
    return { user };
  }

  @Authorized('admin')
  @Get('/admin')
  admin(): unknown {
    return { admin: true };
  }

  @Post('/echo')
  echo(@Body() body: EchoBody): unknown {
    return { text: body.text };
  }

  // Declared first, and /t/items/latest matches it too.
  @Get('/items/:id')
  item(@Param('id') id: string): unknown {
    return { item: id };
  }

  @Get('/items/latest')
  latest(): unknown {
    return { latest: true };
  }

  @Get('/boom')
  boom(): unknown {
    throw new Error('secret internal detail');
  }
}

@Service()
@Authorized('editor')
@JsonController('/editorial')
class EditorialController {
  @Authorized('admin')
  @Get('/desk')
  desk(): unknown {
    return { desk: true };
  }
}

interface Harness {
  app: Koa;
  clock: FrozenClock;
  tokens: TokenService;
  revocation: RevocationService;
  serverErrors: unknown[];
  users?: MemoryUsers;
}

function harness(options: { store?: RevocationStore; users?: boolean } = {}): Harness {
  const clock = new FrozenClock();
  const container = Container.of(`app-spec-${randomUUID()}`);
  const settings = new BaseAppSettings(testEnvironment());
  const revocationStore = options.store ?? new MemoryRevocationStore(clock);
  // One instance: a registry of its own beside a store of the spec's.
  const sessionRegistry = new MemorySessionRegistry(clock);
  configureSecurity({ settings, clock, revocationStore, sessionRegistry }, container);
  const users = options.users ? new MemoryUsers() : undefined;
  const serverErrors: unknown[] = [];
  const app = new Koa();
  configureApp(app, {
    controllers: [ProbeController, EditorialController],
    container,
    ...(users ? { userAuthentication: users } : {}),
    realm: 'spec',
    bodyLimit: '1kb',
    onServerError: (error) => serverErrors.push(error),
  });
  return {
    app,
    clock,
    tokens: container.get(TokenService),
    revocation: container.get(RevocationService),
    serverErrors,
    ...(users ? { users } : {}),
  };
}

const ERROR_SHAPE = ['error', 'error_description'];

describe('configureApp (routing-controllers integration)', () => {
  let h: Harness;
  beforeEach(() => (h = harness()));

  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  it('serves public routes', async () => {
    const response = await request(h.app.callback()).get('/t/public').expect(200);
    expect(response.body).to.deep.equal({ ok: true });
  });

  it('gives @CurrentUser the verified claims when no user lookup is registered', async () => {
    const token = h.tokens.createAccessToken({ sub: '7', roles: ['user'] });
    const response = await request(h.app.callback()).get('/t/me').set(bearer(token)).expect(200);
    expect(response.body.user).to.include({ sub: '7', type: 'access' });
  });

  describe('E: the Authorization header', () => {
    it('E1 no header → 401 authentication_required with a bare Bearer challenge', async () => {
      const response = await request(h.app.callback()).get('/t/me').expect(401);
      expect(response.body).to.deep.equal({
        error: 'authentication_required',
        error_description: 'Authentication is required.',
      });
      expect(response.headers['www-authenticate']).to.equal('Bearer realm="spec"');
    });

    it('E1 Basic credentials → 401 authentication_required', async () => {
      const response = await request(h.app.callback())
        .get('/t/me')
        .set('Authorization', 'Basic dXNlcjpwYXNz');
      expect(response.status).to.equal(401);
      expect(response.body.error).to.equal('authentication_required');
    });

    for (const header of ['Bearer', 'Bearer a b', 'Bearer {"alg":"none"}']) {
      it(`E2 ${JSON.stringify(header)} → 400 invalid_request, never 500`, async () => {
        const response = await request(h.app.callback()).get('/t/me').set('Authorization', header);
        expect(response.status).to.equal(400);
        expect(response.body.error).to.equal('invalid_request');
      });
    }

    it('E3 any case of the scheme works', async () => {
      const token = h.tokens.createAccessToken({ sub: '7' });
      await request(h.app.callback())
        .get('/t/me')
        .set('Authorization', `bEaReR ${token}`)
        .expect(200);
    });

    it('E4 two Authorization headers → 400', async () => {
      const token = h.tokens.createAccessToken({ sub: '7' });
      const response = await request(h.app.callback())
        .get('/t/me')
        .set('Authorization', [`Bearer ${token}`, `Bearer ${token}`] as unknown as string);
      expect(response.status).to.equal(400);
      expect(response.body.error).to.equal('invalid_request');
    });

    it('E5 a token in the query string is not accepted', async () => {
      const token = h.tokens.createAccessToken({ sub: '7' });
      const response = await request(h.app.callback()).get(`/t/me?access_token=${token}`);
      expect(response.status).to.equal(401);
      expect(response.body.error).to.equal('authentication_required');
    });

    it('E6 a token over 8 KiB → 401 invalid_token', async () => {
      const response = await request(h.app.callback())
        .get('/t/me')
        .set(bearer(`${'a'.repeat(9000)}.b.c`));
      expect(response.status).to.equal(401);
      expect(response.body.error).to.equal('invalid_token');
    });
  });

  describe('I: authorization', () => {
    it('I1 @Authorized("admin") with no token → 401, not routing-controllers\' 403', async () => {
      const response = await request(h.app.callback()).get('/t/admin');
      expect(response.status).to.equal(401);
      expect(response.body.error).to.equal('authentication_required');
    });

    it('I2 valid token without the role → 403 insufficient_scope with its challenge', async () => {
      const token = h.tokens.createAccessToken({ sub: '7', roles: ['user'] });
      const response = await request(h.app.callback()).get('/t/admin').set(bearer(token));
      expect(response.status).to.equal(403);
      expect(response.body.error).to.equal('insufficient_scope');
      expect(response.headers['www-authenticate']).to.equal(
        'Bearer realm="spec", error="insufficient_scope"',
      );
    });

    it('I2 the role grants access', async () => {
      const token = h.tokens.createAccessToken({ sub: '1', roles: ['admin'] });
      await request(h.app.callback())
        .get('/t/admin')
        .set(bearer(token))
        .expect(200, { admin: true });
    });

    for (const roles of [undefined, null, 'admin', ['superadmin'], ['Admin'], ['admin ']]) {
      it(`I3/I4 roles ${JSON.stringify(roles)} → 403, never a TypeError`, async () => {
        const claims = accessClaims(h.clock, { roles });
        const token = forgeToken({ alg: 'HS256' }, claims);
        const response = await request(h.app.callback()).get('/t/admin').set(bearer(token));
        expect(response.status).to.equal(403);
        expect(h.serverErrors).to.have.length(0);
      });
    }

    it('combines class-level and method-level roles: either one passes', async () => {
      for (const roles of [['editor'], ['admin']]) {
        const token = h.tokens.createAccessToken({ sub: '1', roles });
        await request(h.app.callback()).get('/editorial/desk').set(bearer(token)).expect(200);
      }
      const token = h.tokens.createAccessToken({ sub: '1', roles: ['user'] });
      await request(h.app.callback()).get('/editorial/desk').set(bearer(token)).expect(403);
    });

    it('I6 @CurrentUser() with a forged token → 401, never a decoded user', async () => {
      const forged = forgeToken({ alg: 'HS256' }, accessClaims(h.clock), {
        key: 'attacker-key-attacker-key-attacker-key',
      });
      const response = await request(h.app.callback()).get('/t/optional').set(bearer(forged));
      expect(response.status).to.equal(401);
      expect(response.body.error).to.equal('invalid_token');
      expect(response.headers['www-authenticate']).to.equal(
        'Bearer realm="spec", error="invalid_token"',
      );
    });

    it('@CurrentUser() gives undefined to anonymous callers', async () => {
      await request(h.app.callback()).get('/t/optional').expect(200, { anonymous: true });
    });

    it('@CurrentUser({ required: true }) without a token → 401', async () => {
      const response = await request(h.app.callback()).get('/t/required');
      expect(response.status).to.equal(401);
      expect(response.body.error).to.equal('authentication_required');
    });

    it('verifies the token once per request, though both checkers run', async () => {
      const token = h.tokens.createAccessToken({ sub: '7' });
      const original = h.revocation.verifyAccessToken.bind(h.revocation);
      let calls = 0;
      h.revocation.verifyAccessToken = (t: string) => {
        calls += 1;
        return original(t);
      };
      await request(h.app.callback()).get('/t/me').set(bearer(token)).expect(200);
      expect(calls).to.equal(1);
    });
  });

  describe('token states', () => {
    it('C1 a refresh token as bearer → 401 invalid_token', async () => {
      const { refresh_token } = h.tokens.createTokenPair({ sub: '7' });
      const response = await request(h.app.callback()).get('/t/me').set(bearer(refresh_token));
      expect(response.status).to.equal(401);
      expect(response.body.error).to.equal('invalid_token');
    });

    it('expired and revoked tokens → 401 invalid_token', async () => {
      const expired = h.tokens.createAccessToken({ sub: '7' });
      const revoked = h.tokens.createAccessToken({ sub: '7' });
      await h.revocation.revokeToken(revoked);
      await request(h.app.callback()).get('/t/me').set(bearer(revoked)).expect(401);
      h.clock.advanceSeconds(1800);
      const response = await request(h.app.callback()).get('/t/me').set(bearer(expired));
      expect(response.status).to.equal(401);
      expect(response.body.error).to.equal('invalid_token');
    });

    it('D6 the revocation store unreachable → 503, never 200', async () => {
      const down = harness({ store: unavailableStore() });
      const token = down.tokens.createAccessToken({ sub: '7' });
      const response = await request(down.app.callback()).get('/t/me').set(bearer(token));
      expect(response.status).to.equal(503);
      expect(response.body.error).to.equal('temporarily_unavailable');
    });
  });

  describe("with the application's user lookup", () => {
    let u: Harness;
    beforeEach(() => (u = harness({ users: true })));

    it("checks the user's current roles, not the token's (I5 demotion)", async () => {
      const admin = await u.users!.add('admin@example.com', 'admin-password', { roles: ['admin'] });
      const { access_token } = await u.users!.login('admin@example.com', 'admin-password');
      await request(u.app.callback()).get('/t/admin').set(bearer(access_token)).expect(200);
      admin.roles = ['user'];
      await request(u.app.callback()).get('/t/admin').set(bearer(access_token)).expect(403);
    });

    it('B7/I5 a deactivated or deleted user loses access on the next request', async () => {
      const user = await u.users!.add('user@example.com', 'user-password');
      const { access_token } = await u.users!.login('user@example.com', 'user-password');
      const me = await request(u.app.callback()).get('/t/me').set(bearer(access_token)).expect(200);
      expect(me.body.user.email).to.equal('user@example.com');
      user.is_active = false;
      const inactive = await request(u.app.callback()).get('/t/me').set(bearer(access_token));
      expect(inactive.status).to.equal(401);
      expect(inactive.body.error).to.equal('invalid_token');
      u.users!.users.clear();
      await request(u.app.callback()).get('/t/me').set(bearer(access_token)).expect(401);
    });
  });

  it('routes a path that several routes match to the most specific, whatever their order', async () => {
    const app = h.app.callback();
    expect((await request(app).get('/t/items/latest').expect(200)).body).to.deep.equal({
      latest: true,
    });
    expect((await request(app).get('/t/items/7').expect(200)).body).to.deep.equal({ item: '7' });
  });

  it('refuses a controller that is not a TypeDI service, at registration', () => {
    @JsonController('/plain')
    class PlainController {
      @Get('/')
      index(): unknown {
        return {};
      }
    }
    expect(() =>
      configureApp(new Koa(), {
        controllers: [PlainController],
        container: Container.of(randomUUID()),
      }),
    ).to.throw(TypeError, 'controller PlainController must be decorated with @Service() (TypeDI)');
  });

  describe('the error layer', () => {
    it('answers unknown routes with 404 not_found in the contract shape', async () => {
      const response = await request(h.app.callback()).get('/nowhere').expect(404);
      expect(response.body).to.deep.equal({ error: 'not_found', error_description: 'Not found.' });
    });

    it('answers a wrong method with 405 method_not_allowed', async () => {
      const response = await request(h.app.callback()).delete('/t/public');
      expect(response.status).to.equal(405);
      expect(response.body.error).to.equal('method_not_allowed');
    });

    it('validates bodies: 400 invalid_request without echoing the input', async () => {
      const response = await request(h.app.callback()).post('/t/echo').send({ text: 12345 });
      expect(response.status).to.equal(400);
      expect(Object.keys(response.body)).to.deep.equal(ERROR_SHAPE);
      expect(JSON.stringify(response.body)).not.to.contain('12345');
      await request(h.app.callback())
        .post('/t/echo')
        .send({ text: 'hello' })
        .expect(200, { text: 'hello' });
    });

    it('malformed JSON → 400, oversized body → 413', async () => {
      const bad = await request(h.app.callback())
        .post('/t/echo')
        .set('Content-Type', 'application/json')
        .send('{"text":');
      expect(bad.status).to.equal(400);
      expect(bad.body.error).to.equal('invalid_request');
      const big = await request(h.app.callback())
        .post('/t/echo')
        .send({ text: 'x'.repeat(5000) });
      expect(big.status).to.equal(413);
      expect(big.body.error).to.equal('payload_too_large');
    });

    for (const [name, type, body, encoding] of [
      ['a top-level JSON array', 'application/json', '[{"text":"x"}]', undefined],
      ['a JSON scalar', 'application/json', '"text"', undefined],
      ['JSON null', 'application/json', 'null', undefined],
      ['a body that claims gzip but is not', 'application/json', '{"text":"x"}', 'gzip'],
      ['a form with a nested key', 'application/x-www-form-urlencoded', 'text[$ne]=1', undefined],
    ] as const) {
      it(`${name} → 400 invalid_request, never 500`, async () => {
        let call = request(h.app.callback()).post('/t/echo').set('Content-Type', type);
        if (encoding) call = call.set('Content-Encoding', encoding);
        const response = await call.send(body);
        expect(response.status).to.equal(400);
        expect(response.body.error).to.equal('invalid_request');
        expect(h.serverErrors).to.have.length(0);
      });
    }

    it('an unknown content encoding → 415', async () => {
      const response = await request(h.app.callback())
        .post('/t/echo')
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', 'x-unknown')
        .send('{"text":"x"}');
      expect(response.status).to.equal(415);
      expect(response.body.error).to.equal('unsupported_media_type');
    });

    it('a method the router does not know (TRACE) → 405, not 501', async () => {
      const response = await request(h.app.callback()).trace('/t/public');
      expect(response.status).to.equal(405);
      expect(response.body.error).to.equal('method_not_allowed');
    });

    it('a defect → 500 server_error with nothing of the error in the response', async () => {
      const response = await request(h.app.callback()).get('/t/boom');
      expect(response.status).to.equal(500);
      expect(response.body).to.deep.equal({
        error: 'server_error',
        error_description: 'The server could not handle the request.',
      });
      expect(response.text).not.to.contain('secret internal detail');
      expect(h.serverErrors).to.have.length(1);
    });
  });
});
