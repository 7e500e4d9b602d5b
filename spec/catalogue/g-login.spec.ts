import bcrypt from 'bcrypt';
import { expect } from 'chai';
import {
  ADMIN,
  USER,
  catalogueHarness,
  expectCleanLogs,
  expectProblem,
} from '../helpers/catalogue';
import type { CatalogueHarness } from '../helpers/catalogue';
import { spyOnBcryptCompare } from '../helpers/bcrypt-spy';
import { decodePayload } from '../helpers/forge-token';

describe('catalogue G: login', () => {
  let h: CatalogueHarness;
  beforeEach(
    async () => (h = await catalogueHarness({ BCRYPT_ROUNDS: '5', LOGIN_MAX_ATTEMPTS: '3' })),
  );
  afterEach(async () => {
    expectCleanLogs(h, ['wrong-password']);
    await h.close();
  });

  const login = (body: object, headers: Record<string, string> = {}) =>
    h.http().post('/auth/login').set(headers).send(body);

  it('G1 unknown user, wrong password, inactive user → identical status, body and headers', async () => {
    await h.updateUser(1, { is_active: false });
    const responses = [
      await login({ username: 'nobody@example.com', password: USER.password }),
      await login({ username: USER.username, password: 'wrong-password' }),
      await login(ADMIN),
    ];
    const withoutDate = (headers: Record<string, string>) =>
      Object.fromEntries(Object.entries(headers).filter(([name]) => name !== 'date'));
    for (const response of responses) {
      expectProblem(response, 401, 'invalid_credentials', 'bare');
      expect(withoutDate(response.headers)).to.deep.equal(withoutDate(responses[0]?.headers ?? {}));
    }
  });

  it('G2 the same in time: an unknown user costs a bcrypt verify against a dummy hash of the configured cost', async () => {
    const spy = spyOnBcryptCompare();
    try {
      await login({ username: 'nobody@example.com', password: 'some-password' });
      await login({ username: USER.username, password: 'wrong-password' });
    } finally {
      spy.restore();
    }
    expect(spy.calls).to.have.length(2);
    for (const call of spy.calls) expect(call.hash).to.match(/^\$2b\$05\$/);
  });

  it('G3 repeated failures on one account → 429 with Retry-After, other accounts unaffected; spoofed X-Forwarded-For does not reset it', async () => {
    for (let i = 0; i < 3; i += 1) {
      expectProblem(
        await login(
          { username: USER.username, password: 'wrong-password' },
          { 'X-Forwarded-For': `10.0.0.${i}` },
        ),
        401,
        'invalid_credentials',
        'bare',
      );
    }
    const locked = await login(USER, { 'X-Forwarded-For': '10.9.9.9' });
    expectProblem(locked, 429, 'too_many_attempts');
    expect(locked.headers['retry-after']).to.equal('900');
    expect((await login(ADMIN)).status).to.equal(200);
  });

  it('G4 {"username": {"$ne": null}} or other non-strings → 400', async () => {
    for (const body of [
      { username: { $ne: null }, password: USER.password },
      { username: USER.username, password: { $ne: null } },
      { username: [USER.username], password: USER.password },
      { username: 42, password: USER.password },
    ]) {
      expectProblem(await login(body), 400, 'invalid_request');
    }
  });

  it('G5 extra fields such as "roles": ["admin"] in a login or register body → ignored', async () => {
    const pair = await login({ ...USER, roles: ['admin'], is_active: true, sub: '1' });
    expect(pair.status).to.equal(200);
    h.secrets.push(pair.body.access_token as string, pair.body.refresh_token as string);
    expect(decodePayload(pair.body.access_token as string)).to.deep.include({
      sub: '2',
      roles: ['user'],
    });
    const registered = await h
      .http()
      .post('/auth/register')
      .send({ email: 'x@example.com', password: 'x-password', roles: ['admin'], id: 1 });
    h.secrets.push('x-password');
    expect(registered.status).to.equal(201);
    expect(registered.body).to.deep.equal({
      id: 3,
      email: 'x@example.com',
      roles: ['user'],
      is_active: true,
      email_verified: false,
      mfa_enabled: false,
    });
  });

  it('G6 a stored hash below the configured cost → login works and the hash is upgraded', async () => {
    const store = h.demo.users.store;
    const created = await store.create({
      email: 'old@example.com',
      hashed_password: await bcrypt.hash('old-password', 4),
      roles: ['user'],
      is_active: true,
    });
    h.secrets.push('old-password');
    expect(
      (await login({ username: 'old@example.com', password: 'old-password' })).status,
    ).to.equal(200);
    const upgraded = await store.findById(created!.id);
    expect(bcrypt.getRounds(upgraded!.hashed_password)).to.equal(5);
    expect(
      (await login({ username: 'old@example.com', password: 'old-password' })).status,
    ).to.equal(200);
  });
});
