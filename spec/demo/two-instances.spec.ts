import { expect } from 'chai';
import { bearer, infrastructureHarness, sharedInfrastructure } from '../helpers/demo-harness';
import type { DemoHarness, SharedInfrastructure } from '../helpers/demo-harness';
import { USER } from '../helpers/catalogue';
import { postgresAnswers, redisAnswers, requireServer } from '../helpers/real-servers';
import { requireRedisBinaries } from '../helpers/redis-binaries';
import { RedisCluster } from '../helpers/redis-cluster';
import { RedisSentinel } from '../helpers/redis-sentinel';

describe('demo: two instances sharing PostgreSQL and Redis', () => {
  describeTwoInstances('one Redis', () => ({}));
});

describe('demo: two instances sharing PostgreSQL and a Redis Cluster (REDIS_CLUSTER_NODES)', function () {
  this.timeout(60_000);
  let cluster: RedisCluster | undefined;
  before(async function () {
    await requireRedisBinaries(this);
    cluster = await RedisCluster.start();
  });
  after(async () => cluster?.stop());
  describeTwoInstances('Redis Cluster', () => ({
    REDIS_URL: undefined,
    REDIS_CLUSTER_NODES: cluster?.nodes.map(({ host, port }) => `${host}:${port}`).join(','),
  }));
});

describe('demo: two instances sharing PostgreSQL and Redis through Sentinel (REDIS_SENTINELS)', function () {
  this.timeout(60_000);
  let sentinel: RedisSentinel | undefined;
  before(async function () {
    await requireRedisBinaries(this);
    sentinel = await RedisSentinel.start();
  });
  after(async () => sentinel?.stop());
  describeTwoInstances('Redis Sentinel', () => ({
    REDIS_URL: undefined,
    REDIS_SENTINELS: sentinel?.sentinels.map(({ host, port }) => `${host}:${port}`).join(','),
    REDIS_SENTINEL_NAME: sentinel?.name,
  }));
});

/** The two-instance behaviour, on the Redis that `redisEnv` names (by default the shared one). */
function describeTwoInstances(name: string, redisEnv: () => NodeJS.ProcessEnv): void {
  describe(name, () => {
    let infrastructure: SharedInfrastructure;
    let a: DemoHarness;
    let b: DemoHarness;

    before(async function () {
      await requireServer(this, 'Redis', redisAnswers);
      await requireServer(this, 'PostgreSQL', postgresAnswers);
    });
    beforeEach(async () => {
      infrastructure = await sharedInfrastructure();
      const env = { LOGIN_MAX_ATTEMPTS: '4', ...redisEnv() };
      // Both start at once on an empty schema: table creation and seeding race.
      [a, b] = await Promise.all([
        infrastructureHarness(infrastructure, env),
        infrastructureHarness(infrastructure, env),
      ]);
      expect(a.demo.stores.revocation).to.equal('redis');
    });
    afterEach(async () => {
      await a.close();
      await b.close();
      await infrastructure.drop();
    });

    it('seed the demo users once, though both started on an empty table', async () => {
      expect([...a.demo.seeded, ...b.demo.seeded]).to.have.members([
        'admin@example.com',
        'user@example.com',
      ]);
      const admin = await a.login('admin@example.com', 'admin-password');
      const list = await b.http().get('/admin/users').set(bearer(admin.access_token)).expect(200);
      expect(list.body).to.have.length(2);
    });

    it('D1 a logout on one instance is refused at once on the other', async () => {
      const pair = await a.login(USER.username, USER.password);
      await b.http().get('/users/me').set(bearer(pair.access_token)).expect(200);
      await a.http().post('/auth/logout').set(bearer(pair.access_token)).expect(204);
      const response = await b.http().get('/users/me').set(bearer(pair.access_token));
      expect(response.status).to.equal(401);
      expect(response.body.error).to.equal('invalid_token');
    });

    it('D3 a refresh token spent on one instance cannot be replayed on the other, and the family ends', async () => {
      const first = await a.login(USER.username, USER.password);
      const second = await a
        .http()
        .post('/auth/refresh')
        .send({ refresh_token: first.refresh_token })
        .expect(200);
      await b.http().post('/auth/refresh').send({ refresh_token: first.refresh_token }).expect(401);
      await a
        .http()
        .get('/users/me')
        .set(bearer(second.body.access_token as string))
        .expect(401);
      await b
        .http()
        .post('/auth/refresh')
        .send({ refresh_token: second.body.refresh_token })
        .expect(401);
    });

    it('D2 of 20 concurrent refreshes of one token across both instances exactly one succeeds', async () => {
      const { refresh_token } = await a.login(USER.username, USER.password);
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? a : b).http().post('/auth/refresh').send({ refresh_token }),
        ),
      );
      expect(responses.filter((r) => r.status === 200)).to.have.length(1);
    });

    it('D7 logout-all on one instance ends the sessions everywhere', async () => {
      const one = await a.login(USER.username, USER.password);
      const two = await b.login(USER.username, USER.password);
      await b.http().post('/auth/logout-all').set(bearer(two.access_token)).expect(204);
      await a.http().get('/users/me').set(bearer(one.access_token)).expect(401);
    });

    it('G3 failed logins count across instances: the lock holds on both', async () => {
      for (let i = 0; i < 4; i += 1) {
        await (i % 2 ? a : b)
          .http()
          .post('/auth/login')
          .send({ ...USER, password: 'wrong-password' })
          .expect(401);
      }
      for (const instance of [a, b]) {
        const locked = await instance.http().post('/auth/login').send(USER);
        expect(locked.status).to.equal(429);
        expect(Number(locked.headers['retry-after'])).to.be.within(1, 900);
      }
    });

    it('I5 a role or active-state change made in the table counts on both instances', async () => {
      const admin = await a.login('admin@example.com', 'admin-password');
      await b.http().get('/admin/users').set(bearer(admin.access_token)).expect(200);
      // Both instances seeded at once: the admin's id is whichever its row got.
      const { sub } = JSON.parse(
        Buffer.from(admin.access_token.split('.')[1] ?? '', 'base64url').toString(),
      ) as { sub: string };
      await a.updateUser(Number(sub), { roles: ['user'] });
      await b.http().get('/admin/users').set(bearer(admin.access_token)).expect(403);
      await a.updateUser(Number(sub), { is_active: false });
      await a.http().get('/users/me').set(bearer(admin.access_token)).expect(401);
    });

    it('a restarted instance loses nothing: sessions, revocations and users, with no duplicate seed', async () => {
      const kept = await a.login(USER.username, USER.password);
      const revoked = await a.login(USER.username, USER.password);
      await a.http().post('/auth/logout').set(bearer(revoked.access_token)).expect(204);
      await a.close();
      a = await infrastructureHarness(infrastructure, {
        LOGIN_MAX_ATTEMPTS: '4',
        ...redisEnv(),
      });
      expect(a.demo.seeded).to.deep.equal([]);
      await a.http().get('/users/me').set(bearer(kept.access_token)).expect(200);
      await a.http().get('/users/me').set(bearer(revoked.access_token)).expect(401);
      await a.http().post('/auth/refresh').send({ refresh_token: kept.refresh_token }).expect(200);
    });
  });
}
