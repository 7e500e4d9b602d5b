import { expect } from 'chai';
import { bearer, demoHarness } from '../helpers/demo-harness';
import type { DemoHarness } from '../helpers/demo-harness';

interface AuditLine {
  event: string;
  [field: string]: unknown;
}

describe('demo: audit events as JSON lines', () => {
  let h: DemoHarness;
  beforeEach(async () => (h = await demoHarness({ LOGIN_MAX_ATTEMPTS: '2' })));
  afterEach(async () => h.close());

  const audit = (): AuditLine[] =>
    h.logs
      .map((line) => JSON.parse(line) as AuditLine)
      .filter((line) => line.event.startsWith('audit.'));
  const last = (event: string): AuditLine | undefined =>
    audit()
      .filter((line) => line.event === event)
      .pop();

  it('records every kind of event with ids, address and time, and nothing secret', async () => {
    const pair = await h.login('user@example.com', 'user-password');
    await h
      .http()
      .post('/auth/login')
      .send({ username: 'admin@example.com', password: 'wrong-password' });
    await h
      .http()
      .post('/auth/login')
      .send({ username: 'ghost@example.com', password: 'wrong-password' });
    await h
      .http()
      .post('/auth/login')
      .send({ username: 'ghost@example.com', password: 'wrong-password' });
    const rotated = await h
      .http()
      .post('/auth/refresh')
      .send({ refresh_token: pair.refresh_token })
      .expect(200);
    await h.http().post('/auth/refresh').send({ refresh_token: pair.refresh_token }).expect(401);
    const second = await h.login('user@example.com', 'user-password');
    await h.http().get('/admin/users').set(bearer(second.access_token)).expect(403);
    await h
      .http()
      .get('/users/me')
      .set(bearer(rotated.body.access_token as string))
      .expect(401);
    await h.http().post('/auth/logout').set(bearer(second.access_token)).expect(204);
    const third = await h.login('user@example.com', 'user-password');
    await h
      .http()
      .put('/users/me/password')
      .set(bearer(third.access_token))
      .send({ current_password: 'user-password', new_password: 'another-password' })
      .expect(204);
    const fourth = await h.login('user@example.com', 'another-password');
    await h.http().post('/auth/logout-all').set(bearer(fourth.access_token)).expect(204);

    expect(last('audit.login_succeeded')).to.include({ userId: '2', address: '127.0.0.1' });
    expect(last('audit.login_succeeded')?.['familyId']).to.be.a('string');
    expect(
      audit()
        .filter((l) => l.event === 'audit.login_failed')
        .map((l) => l['reason']),
    ).to.deep.equal(['wrong_password', 'unknown_user', 'unknown_user']);
    expect(last('audit.account_locked')).to.include({
      scope: 'account_address',
      retryAfterSeconds: 900,
    });
    expect(last('audit.token_refreshed')).to.include({ userId: '2' });
    expect(last('audit.refresh_reuse_detected')).to.include({ userId: '2' });
    expect(last('audit.access_denied')).to.include({
      reason: 'ERR_TOKEN_REVOKED',
      path: '/users/me',
    });
    expect(audit().find((l) => l['reason'] === 'insufficient_scope')).to.include({
      userId: '2',
      path: '/admin/users',
    });
    expect(last('audit.logout')).to.include({ userId: '2' });
    expect(last('audit.password_changed')).to.include({ userId: '2' });
    expect(last('audit.logout_all')).to.include({ userId: '2' });
    for (const line of audit()) expect(line['at']).to.match(/^\d{4}-\d\d-\d\dT/);

    const text = h.logs.join('\n');
    for (const secret of [
      pair.access_token,
      pair.refresh_token,
      second.access_token,
      'user-password',
      'wrong-password',
      'another-password',
      'ghost@example.com',
      '$2b$',
    ]) {
      expect(text).not.to.contain(secret);
    }
  });
});
