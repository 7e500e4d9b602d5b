import { expect } from 'chai';
import type { Response } from 'supertest';
import type { SessionView, TokenPair } from '../../src';
import { ADMIN, USER } from '../helpers/catalogue';
import { bearer, infrastructureHarness, sharedInfrastructure } from '../helpers/demo-harness';
import type { DemoHarness, SharedInfrastructure } from '../helpers/demo-harness';
import { postgresAnswers, redisAnswers, requireServer } from '../helpers/real-servers';

/**
 * Attack review of the demo's session routes (issue 15, demo contract "Sessions") on two
 * instances sharing PostgreSQL and Redis.
 *
 * Ids cannot be probed from either instance (status, headers and body alike), and
 * `DELETE /auth/sessions/` (an empty id) is 404, not the end of every other session.
 */
describe('demo: session ids on two instances on PostgreSQL and Redis', function () {
  let infrastructure: SharedInfrastructure;
  let a: DemoHarness;
  let b: DemoHarness;

  before(async function () {
    await requireServer(this, 'Redis', redisAnswers);
    await requireServer(this, 'PostgreSQL', postgresAnswers);
  });
  beforeEach(async () => {
    infrastructure = await sharedInfrastructure();
    const env = { LOGIN_MAX_ATTEMPTS: '1000' };
    [a, b] = await Promise.all([
      infrastructureHarness(infrastructure, env),
      infrastructureHarness(infrastructure, env),
    ]);
  });
  afterEach(async () => {
    await a.close();
    await b.close();
    await infrastructure.drop();
  });

  const login = async (h: DemoHarness, device: string, who = USER): Promise<TokenPair> => {
    const answer = await h
      .http()
      .post('/auth/login')
      .set('User-Agent', device)
      .send({ username: who.username, password: who.password })
      .expect(200);
    h.clock.advanceSeconds(1);
    return answer.body as TokenPair;
  };
  const list = async (h: DemoHarness, pair: TokenPair): Promise<SessionView[]> =>
    (await h.http().get('/auth/sessions').set(bearer(pair.access_token)).expect(200))
      .body as SessionView[];
  const works = async (h: DemoHarness, pair: TokenPair) =>
    (await h.http().get('/users/me').set(bearer(pair.access_token))).status === 200;
  const visible = (response: Response) => {
    const headers = { ...response.headers } as Record<string, unknown>;
    delete headers['date'];
    return { status: response.status, headers, body: response.text };
  };

  it('another user’s id, an unknown, a malformed and a long id answer alike on both instances', async () => {
    const mine = await login(a, 'Mine');
    const admin = await login(b, 'Admin', ADMIN);
    const [theirs] = await list(b, admin);
    const ids = [
      theirs?.id ?? '',
      '00000000-0000-4000-8000-000000000000',
      'nope',
      'f'.repeat(1500),
      (theirs?.id ?? '').toUpperCase(),
    ];
    const answers = [];
    for (const h of [a, b]) {
      for (const id of ids) {
        answers.push(
          visible(await h.http().delete(`/auth/sessions/${id}`).set(bearer(mine.access_token))),
        );
      }
    }
    for (const answer of answers) expect(answer).to.deep.equal(answers[1]);
    expect(answers[1]?.status).to.equal(404);
    expect(await works(a, admin)).to.equal(true);
  });

  it('DELETE /auth/sessions/ with an empty id is 404 and ends nothing', async () => {
    const phone = await login(a, 'Phone');
    const laptop = await login(b, 'Laptop');
    const answer = await b.http().delete('/auth/sessions/').set(bearer(phone.access_token));
    // Today: 204, and the laptop is logged out (the route of "end every other session").
    expect([answer.status, await works(a, laptop)]).to.deep.equal([404, true]);
  });
});
