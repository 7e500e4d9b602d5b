import { expect } from 'chai';
import { bearer, demoHarness } from '../helpers/demo-harness';
import type { DemoHarness } from '../helpers/demo-harness';
import { PrivateRedis } from '../helpers/private-redis';
import { redisAnswers, requireServer } from '../helpers/real-servers';

/** D6 and issue 4's failure behaviour: Redis dies, stalls, and comes back. */
describe('demo: Redis outage (a private redis-server, killed and restarted)', function () {
  this.timeout(30_000);
  let redis: PrivateRedis;
  let h: DemoHarness;

  before(async function () {
    await requireServer(this, 'redis-server', redisAnswers);
  });
  beforeEach(async () => {
    redis = await PrivateRedis.start();
    h = await demoHarness({ REDIS_URL: redis.url });
  });
  afterEach(async () => {
    await h.close();
    await redis.kill();
  });

  async function timed(call: () => Promise<{ status: number; body: { error?: string } }>) {
    const started = Date.now();
    const response = await call();
    return { response, elapsed: Date.now() - started };
  }

  it('answers 503 within about a second when Redis is killed, never 200, and recovers when it returns: tokens from before its data was lost refused, a new login working', async () => {
    const { access_token } = await h.login('user@example.com', 'user-password');
    await h.http().get('/users/me').set(bearer(access_token)).expect(200);

    await redis.kill();
    for (const call of [
      () => h.http().get('/users/me').set(bearer(access_token)),
      () =>
        h
          .http()
          .post('/auth/login')
          .send({ username: 'user@example.com', password: 'user-password' }),
      () => h.http().post('/auth/logout').set(bearer(access_token)),
    ]) {
      const { response, elapsed } = await timed(call);
      expect(response.status).to.equal(503);
      expect(response.body.error).to.equal('temporarily_unavailable');
      expect(elapsed).to.be.below(1500);
    }
    await h.http().get('/health').expect(200);

    // Back without persistence, Redis has lost every revocation: the token from before is
    // refused (fail closed), once Redis answers, and a new login works.
    await redis.start();
    let status = 503;
    for (let attempt = 0; attempt < 100 && status === 503; attempt += 1) {
      status = (await h.http().get('/users/me').set(bearer(access_token))).status;
      if (status === 503) await new Promise((next) => setTimeout(next, 100));
    }
    expect(status, 'recovered by itself, the token from before the loss refused').to.equal(401);
    const fresh = await h.login('user@example.com', 'user-password');
    await h.http().get('/users/me').set(bearer(fresh.access_token)).expect(200);
    expect(h.logs.filter((line) => line.includes('store_data_lost'))).to.have.length.above(0);
  });

  it('answers 503 within about a second when Redis stalls (command timeout, no queue)', async () => {
    const { access_token } = await h.login('user@example.com', 'user-password');
    await redis.stall(3);
    const { response, elapsed } = await timed(() =>
      h.http().get('/users/me').set(bearer(access_token)),
    );
    expect(response.status).to.equal(503);
    expect(elapsed).to.be.below(1500);
  });

  it('starts with Redis down, answers 503 where it needs it, and recovers', async () => {
    await h.close();
    await redis.kill();
    h = await demoHarness({ REDIS_URL: redis.url });
    const login = await h
      .http()
      .post('/auth/login')
      .send({ username: 'user@example.com', password: 'user-password' });
    expect(login.status).to.equal(503);
    await redis.start();
    let status = 0;
    for (let attempt = 0; attempt < 100 && status !== 200; attempt += 1) {
      status = (
        await h
          .http()
          .post('/auth/login')
          .send({ username: 'user@example.com', password: 'user-password' })
      ).status;
      if (status !== 200) await new Promise((next) => setTimeout(next, 100));
    }
    expect(status).to.equal(200);
  });
});
