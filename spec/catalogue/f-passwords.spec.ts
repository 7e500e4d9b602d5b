import { expect } from 'chai';
import { catalogueHarness, expectCleanLogs, expectProblem } from '../helpers/catalogue';
import type { CatalogueHarness } from '../helpers/catalogue';
import { spyOnBcryptCompare } from '../helpers/bcrypt-spy';

describe('catalogue F: passwords', () => {
  let h: CatalogueHarness;
  beforeEach(async () => (h = await catalogueHarness()));
  afterEach(async () => {
    expectCleanLogs(h);
    await h.close();
  });

  const register = (email: string, password: unknown) => {
    if (typeof password === 'string') h.secrets.push(password);
    return h.http().post('/auth/register').send({ email, password });
  };
  const login = (username: string, password: unknown) =>
    h.http().post('/auth/login').send({ username, password });

  it('F1 empty password at registration → 400; at login → 401 invalid_credentials', async () => {
    expectProblem(await register('empty@example.com', ''), 400, 'invalid_request');
    expectProblem(await login('user@example.com', ''), 401, 'invalid_credentials', 'bare');
  });

  it('F2 passwords longer than 72 bytes are never silently truncated; "a"*72 + "x" must not log in as "a"*72', async () => {
    expect((await register('a72@example.com', 'a'.repeat(72))).status).to.equal(201);
    expectProblem(
      await login('a72@example.com', `${'a'.repeat(72)}x`),
      401,
      'invalid_credentials',
      'bare',
    );
    expect((await register('a73@example.com', `${'a'.repeat(72)}x`)).status).to.equal(201);
    expectProblem(
      await login('a73@example.com', 'a'.repeat(72)),
      401,
      'invalid_credentials',
      'bare',
    );
    expect((await login('a73@example.com', `${'a'.repeat(72)}x`)).status).to.equal(200);
  });

  it('F3 Unicode: NFC and NFD forms of the same password are the same password', async () => {
    expect((await register('nfc@example.com', 'M\u00fcller-Passwort')).status).to.equal(201);
    h.secrets.push('Mu\u0308ller-Passwort');
    expect((await login('nfc@example.com', 'Mu\u0308ller-Passwort')).status).to.equal(200);
  });

  it('F4 a password of megabytes → 400/413 before bcrypt runs; non-string password → 400', async () => {
    const spy = spyOnBcryptCompare();
    try {
      expectProblem(
        await login('user@example.com', 'x'.repeat(2_000_000)),
        413,
        'payload_too_large',
      );
      expectProblem(
        await register('big@example.com', 'x'.repeat(2_000_000)),
        413,
        'payload_too_large',
      );
      expectProblem(await login('user@example.com', 'x'.repeat(5000)), 400, 'invalid_request');
      expect(spy.calls).to.have.length(0);
    } finally {
      spy.restore();
    }
    for (const password of [12345678, null, ['password'], { length: 8 }, true]) {
      expectProblem(await register('nonstring@example.com', password), 400, 'invalid_request');
      expectProblem(await login('user@example.com', password), 400, 'invalid_request');
    }
  });

  it('F5 stored hash null, empty or corrupt → 401 invalid_credentials, not 500', async () => {
    const store = h.demo.users.store;
    for (const [email, hashed_password] of [
      ['empty@example.com', ''],
      ['corrupt@example.com', '$2b$10$this-is-not-a-bcrypt-hash'],
      ['null@example.com', null as unknown as string],
    ] as const) {
      await store.create({ email, hashed_password, roles: ['user'], is_active: true });
      expectProblem(await login(email, 'whatever-password'), 401, 'invalid_credentials', 'bare');
    }
  });

  it('F6 minimum length 8; at least 64 characters accepted', async () => {
    expectProblem(await register('seven@example.com', '1234567'), 400, 'invalid_request');
    expect((await register('eight@example.com', '12345678')).status).to.equal(201);
    expect((await register('long@example.com', 'ß'.repeat(64))).status).to.equal(201);
    expect((await login('long@example.com', 'ß'.repeat(64))).status).to.equal(200);
  });
});
