import { expect } from 'chai';
import type { TokenPair } from '../../src';
import { bearer, twoInstances } from '../helpers/demo-harness';
import type { DemoHarness } from '../helpers/demo-harness';
import { USER } from '../helpers/catalogue';
import { postgresAnswers, redisAnswers, requireServer } from '../helpers/real-servers';

const TRIALS = 20;

/**
 * Item 1 over HTTP, on Redis and PostgreSQL: a thief rotates a stolen refresh token in a loop
 * on instance B while the victim changes the password (or logs out everywhere) on instance A.
 * Afterwards nothing the thief got may work, on either instance.
 */
describe('demo: a password change on one instance ends a session refreshing in a loop on the other', function () {
  let a: DemoHarness;
  let b: DemoHarness;
  let close: (() => Promise<void>) | undefined;
  /** The user's password in force: the password-change spec moves it on. */
  let password = USER.password;

  before(async function () {
    await requireServer(this, 'Redis', redisAnswers);
    await requireServer(this, 'PostgreSQL', postgresAnswers);
    ({ a, b, close } = await twoInstances({ LOGIN_MAX_ATTEMPTS: '100' }));
  });
  after(() => close?.());

  async function refreshLoop(on: DemoHarness, start: TokenPair, stop: { done: boolean }) {
    const pairs = [start];
    while (!stop.done && pairs.length < 60) {
      const answer = await on
        .http()
        .post('/auth/refresh')
        .send({ refresh_token: pairs[pairs.length - 1].refresh_token });
      if (answer.status !== 200) {
        expect(answer.status).to.equal(401);
        break;
      }
      pairs.push(answer.body as TokenPair);
    }
    return pairs;
  }

  async function working(pair: TokenPair): Promise<string[]> {
    const found: string[] = [];
    for (const instance of [a, b]) {
      const me = await instance.http().get('/users/me').set(bearer(pair.access_token));
      if (me.status !== 401) found.push(`access token (${me.status})`);
    }
    const refreshed = await a
      .http()
      .post('/auth/refresh')
      .send({ refresh_token: pair.refresh_token });
    if (refreshed.status !== 401) found.push(`refresh (${refreshed.status})`);
    return found;
  }

  for (const ending of ['password change', 'logout-all'] as const) {
    it(`${ending}: 0 surviving sessions in ${TRIALS} trials`, async () => {
      let survivors = 0;
      for (let trial = 0; trial < TRIALS; trial += 1) {
        // Two instances' clocks move on between trials, as real ones do.
        a.clock.advance(1000);
        b.clock.advance(1000);
        const stolen = await b.login(USER.username, password);
        const victim = await a.login(USER.username, password);
        const stop = { done: false };
        // Time passes on both instances, between any two awaits, as on real clocks.
        const ticker = setInterval(() => {
          a.clock.advance(1);
          b.clock.advance(1);
        }, 1);
        const thief = refreshLoop(b, stolen, stop);
        await new Promise((next) => setTimeout(next, Math.random() * 15));
        if (ending === 'password change') {
          const next = `new-password-${trial}-${Math.random().toString(36).slice(2)}`;
          await a
            .http()
            .put('/users/me/password')
            .set(bearer(victim.access_token))
            .send({ current_password: password, new_password: next })
            .expect(204);
          password = next;
        } else {
          await a.http().post('/auth/logout-all').set(bearer(victim.access_token)).expect(204);
        }
        const pairs = await thief.finally(() => {
          stop.done = true;
          clearInterval(ticker);
        });
        for (const pair of pairs) if ((await working(pair)).length > 0) survivors += 1;
      }
      expect(survivors).to.equal(0);
    });
  }
});
