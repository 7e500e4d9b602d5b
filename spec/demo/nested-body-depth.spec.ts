import { expect } from 'chai';
import { demoHarness } from '../helpers/demo-harness';
import type { DemoHarness } from '../helpers/demo-harness';

/** A field nested `depth` arrays deep: 1,500 is 3 KB, well under the body limit. */
const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('demo: a body nested 1,500 deep is 400 invalid_request on every route with a body', () => {
  let h: DemoHarness;
  before(async () => (h = await demoHarness()));
  after(async () => h.close());

  for (const [path, body] of [
    ['/auth/login', `{"username":"user@example.com","password":"user-password","x":${deep(1500)}}`],
    ['/auth/register', `{"email":"new@example.com","password":"new-password-1","x":${deep(1500)}}`],
    ['/auth/refresh', `{"refresh_token":${deep(1500)}}`],
    ['/auth/login', `{"username":${deep(1500)},"password":"p"}`],
  ] as const) {
    it(`POST ${path} ${body.slice(0, 30)}…`, async () => {
      const r = await h.http().post(path).set('Content-Type', 'application/json').send(body);
      expect(r.status).to.equal(400);
      expect(r.body).to.deep.equal({
        error: 'invalid_request',
        error_description: 'The request is invalid.',
      });
      expect(h.logs.join('\n')).not.to.contain('server_error');
    });
  }

  it('PUT /users/me/password too, for an authenticated caller', async () => {
    const pair = await h.login('user@example.com', 'user-password');
    const r = await h
      .http()
      .put('/users/me/password')
      .set('Authorization', `Bearer ${pair.access_token}`)
      .set('Content-Type', 'application/json')
      .send(`{"current_password":"user-password","new_password":${deep(1500)}}`);
    expect(r.status).to.equal(400);
    expect(r.body.error).to.equal('invalid_request');
  });
});
