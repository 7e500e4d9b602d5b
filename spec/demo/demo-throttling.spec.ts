import { expect } from 'chai';
import { bearer, demoHarness } from '../helpers/demo-harness';
import type { DemoHarness } from '../helpers/demo-harness';
import { freezeDate } from '../helpers/frozen-date';
import type { FrozenDate } from '../helpers/frozen-date';

describe('demo: login throttling (catalogue G3)', () => {
  let date: FrozenDate;
  let h: DemoHarness;

  beforeEach(async () => {
    date = freezeDate();
    h = await demoHarness({ LOGIN_MAX_ATTEMPTS: '3', LOGIN_LOCKOUT_SECONDS: '600' });
  });
  afterEach(async () => {
    date.uninstall();
    await h.close();
  });

  const attempt = (username: string, password: string, headers: Record<string, string> = {}) =>
    h.http().post('/auth/login').set(headers).send({ username, password });

  it('the failure that reaches the limit is 401; then 429 with Retry-After, even with the right password', async () => {
    for (let i = 0; i < 3; i += 1) {
      expect((await attempt('user@example.com', 'wrong-password')).status).to.equal(401);
    }
    const locked = await attempt('user@example.com', 'user-password');
    expect(locked.status).to.equal(429);
    expect(locked.body).to.deep.equal({
      error: 'too_many_attempts',
      error_description: 'Too many failed attempts. Try again later.',
    });
    expect(locked.headers['retry-after']).to.equal('600');
    await attempt('admin@example.com', 'admin-password').expect(200);
    date.tick(600_000);
    await attempt('user@example.com', 'user-password').expect(200);
  });

  it('unknown usernames are counted and locked exactly like existing ones', async () => {
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      known.push((await attempt('user@example.com', 'wrong-password')).status);
      unknown.push((await attempt('ghost@example.com', 'wrong-password')).status);
    }
    expect(known).to.deep.equal([401, 401, 401, 429]);
    expect(unknown).to.deep.equal(known);
  });

  it('a success before the limit resets the count', async () => {
    await attempt('user@example.com', 'wrong-password').expect(401);
    await attempt('user@example.com', 'wrong-password').expect(401);
    await attempt('user@example.com', 'user-password').expect(200);
    for (let i = 0; i < 3; i += 1) await attempt('user@example.com', 'wrong-password').expect(401);
    await attempt('user@example.com', 'wrong-password').expect(429);
  });

  it('a spoofed X-Forwarded-For changes nothing (the app does not trust a proxy)', async () => {
    for (let i = 0; i < 3; i += 1) {
      await attempt('user@example.com', 'wrong-password', {
        'X-Forwarded-For': `198.51.100.${i}`,
      }).expect(401);
    }
    await attempt('user@example.com', 'user-password', {
      'X-Forwarded-For': '203.0.113.99',
    }).expect(429);
  });

  it('a wrong current password on PUT /users/me/password counts as a failed login', async () => {
    const { access_token } = await h.login('user@example.com', 'user-password');
    for (let i = 0; i < 3; i += 1) {
      const response = await h
        .http()
        .put('/users/me/password')
        .set(bearer(access_token))
        .send({ current_password: 'wrong-password', new_password: 'a-brand-new-password' });
      expect(response.status).to.equal(400);
    }
    await attempt('user@example.com', 'user-password').expect(429);
  });
});

describe('demo: registration throttling (REGISTER_MAX_PER_ADDRESS, issue 11)', () => {
  let h: DemoHarness;
  beforeEach(async () => {
    h = await demoHarness({ REGISTER_MAX_PER_ADDRESS: '2' });
  });
  afterEach(() => h.close());

  const register = (email: string) =>
    h.http().post('/auth/register').send({ email, password: 'a-long-enough-password' });

  it('registrations past the limit from one address answer 429 with Retry-After, before bcrypt runs; a 409 counts', async () => {
    await register('new1@example.com').expect(201);
    await register('new1@example.com').expect(409);
    const refused = await register('new2@example.com');
    expect(refused.status).to.equal(429);
    expect(refused.body.error).to.equal('too_many_attempts');
    expect(Number(refused.headers['retry-after'])).to.be.within(1, 3600);
    await h.login('user@example.com', 'user-password');
  });

  it('a registration the password policy refuses (400) gives its point back', async () => {
    for (let i = 0; i < 5; i += 1) {
      await h
        .http()
        .post('/auth/register')
        .send({ email: 'x@example.com', password: 'short' })
        .expect(400);
    }
    await register('new3@example.com').expect(201);
  });
});
