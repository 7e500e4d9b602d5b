import { expect } from 'chai';
import { MemoryRevocationStore, RevocationService, TokenService } from '../../src';
import { FrozenClock } from '../helpers/frozen-clock';
import { freePort } from '../helpers/private-redis';
import {
  USER,
  bearerOf,
  catalogueHarness,
  expectCleanLogs,
  expectProblem,
} from '../helpers/catalogue';
import type { CatalogueHarness } from '../helpers/catalogue';

describe('catalogue D: revocation and rotation', () => {
  let h: CatalogueHarness;
  beforeEach(
    async () =>
      (h = await catalogueHarness({
        REFRESH_TOKEN_EXPIRE_DAYS: '2',
        REFRESH_SESSION_MAX_DAYS: '3',
      })),
  );
  afterEach(async () => {
    expectCleanLogs(h);
    await h.close();
  });

  const me = (token: string) => h.http().get('/users/me').set(bearerOf(token));
  const refresh = (token: string) => h.http().post('/auth/refresh').send({ refresh_token: token });

  it('D1 after logout the access token and the refresh token → 401', async () => {
    const pair = await h.login(USER.username, USER.password);
    expect(
      (
        await h
          .http()
          .post('/auth/logout')
          .set(bearerOf(pair.access_token))
          .send({ refresh_token: pair.refresh_token })
      ).status,
    ).to.equal(204);
    expectProblem(await me(pair.access_token), 401, 'invalid_token', 'invalid_token');
    expectProblem(await refresh(pair.refresh_token), 401, 'invalid_token', 'invalid_token');
  });

  it('D2 refresh twice with the same refresh token, even concurrently (50 at once) → exactly one success', async () => {
    const pair = await h.login(USER.username, USER.password);
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => refresh(pair.refresh_token)),
    );
    expect(responses.filter((r) => r.status === 200)).to.have.length(1);
    for (const response of responses.filter((r) => r.status !== 200)) {
      expectProblem(response, 401, 'invalid_token', 'invalid_token');
    }
    for (const response of responses)
      if (response.status === 200)
        h.secrets.push(response.body.access_token, response.body.refresh_token);
  });

  it('D3 a spent (rotated) refresh token presented again → 401, and every token of that family, the newest included, is revoked', async () => {
    const first = await h.login(USER.username, USER.password);
    const second = (await refresh(first.refresh_token)).body as {
      access_token: string;
      refresh_token: string;
    };
    h.secrets.push(second.access_token, second.refresh_token);
    expectProblem(await refresh(first.refresh_token), 401, 'invalid_token', 'invalid_token');
    expectProblem(await me(second.access_token), 401, 'invalid_token', 'invalid_token');
    expectProblem(await refresh(second.refresh_token), 401, 'invalid_token', 'invalid_token');
    expectProblem(await me(first.access_token), 401, 'invalid_token', 'invalid_token');
  });

  it('D4 a refresh family has an absolute lifetime that rotation does not extend', async () => {
    let token = (await h.login(USER.username, USER.password)).refresh_token;
    for (let day = 1; day <= 2; day += 1) {
      h.clock.advanceSeconds(86_400);
      const response = await refresh(token);
      expect(response.status, `day ${day}`).to.equal(200);
      token = response.body.refresh_token as string;
      h.secrets.push(token, response.body.access_token as string);
    }
    h.clock.advanceSeconds(86_400);
    expectProblem(await refresh(token), 401, 'invalid_token', 'invalid_token');
  });

  it('D5 revoking an already-expired token is a no-op, not an error', async () => {
    const pair = await h.login(USER.username, USER.password);
    h.clock.advanceSeconds(2 * 86_400);
    const fresh = await h.login(USER.username, USER.password);
    const logout = await h
      .http()
      .post('/auth/logout')
      .set(bearerOf(fresh.access_token))
      .send({ refresh_token: pair.refresh_token });
    expect(logout.status).to.equal(204);
    await h.demo.container.get(RevocationService).revokeToken(pair.access_token);
  });

  it('D6 the revocation store unreachable or slow → 503 within a bounded time, never 200', async () => {
    const down = await catalogueHarness({ REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    try {
      const token = h.demo.container
        .get(TokenService)
        .createAccessToken({ sub: '2', roles: ['user'] });
      h.secrets.push(token);
      const started = Date.now();
      const response = await down.http().get('/users/me').set(bearerOf(token));
      expectProblem(response, 503, 'temporarily_unavailable');
      expect(Date.now() - started).to.be.below(1500);
    } finally {
      await down.close();
    }
  });

  it('D7 after a password change, logout-all or deactivation, tokens issued before it → 401, including tokens issued in the same second just before it', async () => {
    const beforeChange = await h.login(USER.username, USER.password);
    const actor = await h.login(USER.username, USER.password);
    expect(
      (
        await h
          .http()
          .put('/users/me/password')
          .set(bearerOf(actor.access_token))
          .send({ current_password: USER.password, new_password: 'changed-password' })
      ).status,
    ).to.equal(204);
    h.secrets.push('changed-password');
    expectProblem(await me(beforeChange.access_token), 401, 'invalid_token', 'invalid_token');
    const afterChange = await h.login(USER.username, 'changed-password');
    expect(
      (await me(afterChange.access_token)).status,
      'a token issued just after stays valid',
    ).to.equal(200);

    expect(
      (await h.http().post('/auth/logout-all').set(bearerOf(afterChange.access_token))).status,
    ).to.equal(204);
    expectProblem(await me(afterChange.access_token), 401, 'invalid_token', 'invalid_token');

    const beforeDeactivation = await h.login(USER.username, 'changed-password');
    await h.updateUser(2, { is_active: false });
    expectProblem(await me(beforeDeactivation.access_token), 401, 'invalid_token', 'invalid_token');
  });

  it('D8 the in-memory store purges expired entries: memory stays bounded after a million revocations', async () => {
    const clock = new FrozenClock();
    const store = new MemoryRevocationStore(clock);
    for (let i = 0; i < 1_000_000; i += 1)
      await store.revokeToken('u', `jti-${i}`, clock.now() + 1800_000);
    expect(store.size).to.equal(1_000_000);
    clock.advanceSeconds(1800 + 60);
    await store.isRevoked({ jti: 'any', subject: 'any', startedAtMs: 0 });
    expect(store.size).to.equal(0);
  });
});
