import { expect } from 'chai';
import type { SessionView, TokenPair } from '../../src';
import { USER } from '../helpers/catalogue';
import { bearer, twoInstances } from '../helpers/demo-harness';
import type { DemoHarness } from '../helpers/demo-harness';
import { postgresAnswers, redisAnswers, requireServer } from '../helpers/real-servers';

describe('demo: sessions across two instances on PostgreSQL and Redis', function () {
  let a: DemoHarness;
  let b: DemoHarness;
  let close: () => Promise<void>;

  before(async function () {
    await requireServer(this, 'Redis', redisAnswers);
    await requireServer(this, 'PostgreSQL', postgresAnswers);
  });
  beforeEach(async () => {
    const env = { MAX_SESSIONS_PER_USER: '3', LOGIN_MAX_ATTEMPTS: '1000' };
    ({ a, b, close } = await twoInstances(env));
  });
  afterEach(() => close());

  const login = async (h: DemoHarness, device: string): Promise<TokenPair> =>
    (
      await h
        .http()
        .post('/auth/login')
        .set('User-Agent', device)
        .send({ username: USER.username, password: USER.password })
        .expect(200)
    ).body as TokenPair;
  const list = async (h: DemoHarness, pair: TokenPair): Promise<SessionView[]> =>
    (await h.http().get('/auth/sessions').set(bearer(pair.access_token)).expect(200))
      .body as SessionView[];

  it('a session started on A is listed on B, and ended on B it stops on A at once', async () => {
    const phone = await login(a, 'Phone');
    const laptop = await login(b, 'Laptop');
    const seen = await list(b, laptop);
    expect(seen.map((s) => [s.user_agent, s.current]).sort()).to.deep.equal([
      ['Laptop', true],
      ['Phone', false],
    ]);
    const target = seen.find((s) => !s.current)?.id ?? '';
    await b.http().delete(`/auth/sessions/${target}`).set(bearer(laptop.access_token)).expect(204);
    // On A, without any wait: the access token and the refresh token of that session.
    const refused = await a.http().get('/users/me').set(bearer(phone.access_token)).expect(401);
    expect((refused.body as { error: string }).error).to.equal('invalid_token');
    await a.http().post('/auth/refresh').send({ refresh_token: phone.refresh_token }).expect(401);
    expect((await list(a, laptop)).map((s) => s.user_agent)).to.deep.equal(['Laptop']);
    const ended = [...a.logs, ...b.logs].filter((line) => line.includes('"audit.session_ended"'));
    expect(ended).to.have.length(1);
  });

  it('another user’s session id is 404 on either instance, and lives on', async () => {
    const mine = await login(a, 'Mine');
    const admin = (
      await b
        .http()
        .post('/auth/login')
        .send({ username: 'admin@example.com', password: 'admin-password' })
        .expect(200)
    ).body as TokenPair;
    const [theirs] = await list(b, admin);
    for (const h of [a, b]) {
      await h
        .http()
        .delete(`/auth/sessions/${theirs?.id ?? ''}`)
        .set(bearer(mine.access_token))
        .expect(404, { error: 'not_found', error_description: 'Not found.' });
    }
    await a.http().get('/users/me').set(bearer(admin.access_token)).expect(200);
  });

  it('logins past MAX_SESSIONS_PER_USER on both instances keep the newest three; the others stop', async () => {
    const pairs: TokenPair[] = [];
    for (let i = 0; i < 6; i += 1) {
      pairs.push(await login(i % 2 === 0 ? a : b, `Device ${i}`));
      a.clock.advanceSeconds(1);
      b.clock.advanceSeconds(1);
    }
    const last = pairs[5];
    expect((await list(a, last)).map((s) => s.user_agent)).to.deep.equal([
      'Device 5',
      'Device 4',
      'Device 3',
    ]);
    for (const [i, pair] of pairs.entries()) {
      const status = (await b.http().get('/users/me').set(bearer(pair.access_token))).status;
      expect(status, `Device ${i}`).to.equal(i < 3 ? 401 : 200);
      const refreshed = await a
        .http()
        .post('/auth/refresh')
        .send({ refresh_token: pair.refresh_token });
      expect(refreshed.status, `refresh of Device ${i}`).to.equal(i < 3 ? 401 : 200);
    }
  });
});
