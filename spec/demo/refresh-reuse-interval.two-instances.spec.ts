import { expect } from 'chai';
import type { TokenPair } from '../../src';
import { USER } from '../helpers/catalogue';
import { bearer, twoInstances } from '../helpers/demo-harness';
import type { DemoHarness, SharedInfrastructure } from '../helpers/demo-harness';
import {
  connectRedis,
  postgresAnswers,
  redisAnswers,
  requireServer,
} from '../helpers/real-servers';

const TRIALS = 5;
const CONCURRENT = 20;

describe('demo: REFRESH_REUSE_INTERVAL_SECONDS across two instances on one Redis', function () {
  let infrastructure: SharedInfrastructure;
  let a: DemoHarness;
  let b: DemoHarness;
  let close: () => Promise<void>;

  before(async function () {
    await requireServer(this, 'Redis', redisAnswers);
    await requireServer(this, 'PostgreSQL', postgresAnswers);
  });

  async function start(interval: string): Promise<void> {
    const env = { REFRESH_REUSE_INTERVAL_SECONDS: interval, LOGIN_MAX_ATTEMPTS: '1000' };
    ({ a, b, close, infrastructure } = await twoInstances(env));
  }
  afterEach(() => close());

  /** `CONCURRENT` refreshes of one refresh token at once, alternating between A and B. */
  async function refreshAtOnce(token: string): Promise<{ status: number; body: TokenPair }[]> {
    const answers = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) =>
        (i % 2 === 0 ? a : b).http().post('/auth/refresh').send({ refresh_token: token }),
      ),
    );
    return answers.map(({ status, body }) => ({ status, body: body as TokenPair }));
  }

  it(`with 5 s: ${CONCURRENT} concurrent refreshes of one token all succeed and the session lives (${TRIALS} trials)`, async () => {
    await start('5');
    for (let trial = 0; trial < TRIALS; trial++) {
      const pair = await a.login(USER.username, USER.password);
      const answers = await refreshAtOnce(pair.refresh_token);
      expect(
        answers.map((answer) => answer.status),
        `trial ${trial}`,
      ).to.deep.equal(Array.from({ length: CONCURRENT }, () => 200));
      // Every new pair works, on either instance, and the session refreshes on.
      for (const [i, { body }] of answers.entries()) {
        await (i % 2 === 0 ? b : a)
          .http()
          .get('/users/me')
          .set(bearer(body.access_token))
          .expect(200);
      }
      const last = answers[CONCURRENT - 1]?.body.refresh_token ?? '';
      await b.http().post('/auth/refresh').send({ refresh_token: last }).expect(200);
    }
    const events = [...a.logs, ...b.logs].filter((line) =>
      line.includes('"audit.refresh_reuse_detected"'),
    );
    expect(events).to.deep.equal([]);
  });

  it(`with 0 (the default): of ${CONCURRENT} concurrent refreshes exactly one succeeds, and the session ends (${TRIALS} trials)`, async () => {
    await start('0');
    for (let trial = 0; trial < TRIALS; trial++) {
      const pair = await a.login(USER.username, USER.password);
      const answers = await refreshAtOnce(pair.refresh_token);
      const won = answers.filter((answer) => answer.status === 200);
      expect(won, `trial ${trial}`).to.have.length(1);
      expect(answers.filter((answer) => answer.status === 401)).to.have.length(CONCURRENT - 1);
      const winner = won[0]?.body;
      await b.http().get('/users/me').set(bearer(winner.access_token)).expect(401);
      await a
        .http()
        .post('/auth/refresh')
        .send({ refresh_token: winner.refresh_token })
        .expect(401);
    }
  });

  it('with 5 s: the spent token presented after the interval ends the session', async () => {
    await start('5');
    const pair = await a.login(USER.username, USER.password);
    const next = (
      await b.http().post('/auth/refresh').send({ refresh_token: pair.refresh_token }).expect(200)
    ).body as TokenPair;
    // Redis judges the interval by its own clock: the rotation is written back 6 s older.
    const { fam, sub } = JSON.parse(
      Buffer.from(pair.refresh_token.split('.')[1] ?? '', 'base64url').toString(),
    ) as { fam: string; sub: string };
    const redis = await connectRedis();
    try {
      const key = `${infrastructure.redisPrefix}revocation:{${sub}}:gen:${fam}`;
      const [generation, attempt, at] = String(await redis.get(key)).split(':');
      await redis.set(key, `${generation}:${attempt}:${Number(at) - 6000}`, 'KEEPTTL');
    } finally {
      redis.disconnect();
    }
    await a.http().post('/auth/refresh').send({ refresh_token: pair.refresh_token }).expect(401);
    await b.http().get('/users/me').set(bearer(next.access_token)).expect(401);
  });
});
