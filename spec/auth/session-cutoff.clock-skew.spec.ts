import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { TokenRevokedError } from '../../src/errors/security-errors';
import { MemoryRevocationStore } from '../../src/revocation/memory-revocation-store';
import { RedisRevocationStore } from '../../src/revocation/redis-revocation-store';
import type { RevocationStore } from '../../src/revocation/revocation-store';
import { FrozenClock } from '../helpers/frozen-clock';
import { MemoryUsers } from '../helpers/memory-users';
import {
  connectRedis,
  dropKeys,
  redisAnswers,
  requireServer,
  uniquePrefix,
} from '../helpers/real-servers';
import { rejection } from '../helpers/rejection';
import { createSecurityFixture } from '../helpers/security-fixture';
import { MemorySessionRegistry } from '../../src/sessions/memory-session-registry';
import type { SecurityFixture } from '../helpers/security-fixture';

interface Instance {
  f: SecurityFixture;
  users: MemoryUsers;
}

/** Two instances sharing one revocation store and one user table, each on its own clock. */
function twoInstances(store: () => RevocationStore): [Instance, Instance] {
  const shared = new MemoryUsers().users;
  // A memory store shared by two instances needs a registry shared as well (Redis stores
  // derive theirs on the same server).
  const sessions = new MemorySessionRegistry(new FrozenClock());
  const make = (): Instance => {
    const users = new MemoryUsers();
    Object.defineProperty(users, 'users', { value: shared });
    // A leeway, as skewed instances need, so that a refusal here is the revocation's.
    const env = { BCRYPT_ROUNDS: '4', LOGIN_MAX_ATTEMPTS: '100', JWT_LEEWAY_SECONDS: '5' };
    const own = store();
    const f = createSecurityFixture(env, () => own, {
      userAuthentication: users,
      ...(own instanceof MemoryRevocationStore ? { sessionRegistry: sessions } : {}),
    });
    return { f, users };
  };
  return [make(), make()];
}

/**
 * Attack review: sessions were ordered against cutoffs by each instance's clock, so a clock
 * ahead (or one stepped back) let a session started before a logout-all outlive it, and a
 * refresh on an instance behind answered 500. Now the store's session epoch orders them.
 */
function describeClockSkew(name: string, storeFor: () => () => RevocationStore): void {
  describe(`sessions and cutoffs across instances whose clocks differ (${name})`, () => {
    it('a session started on an instance 50 ms ahead, before a logout-all on the other, is over', async () => {
      const [ahead, behind] = twoInstances(storeFor());
      ahead.f.clock.advance(50);
      const user = await ahead.users.add(`u-${randomUUID()}@example.com`, 'password-1');
      const pair = await ahead.users.login(user.email, 'password-1');
      behind.f.clock.advance(10); // later, but still behind the session's start by its clock
      await behind.users.logoutAll(user);
      for (const instance of [ahead, behind]) {
        expect(
          await rejection(instance.f.revocation.verifyAccessToken(pair.access_token)),
        ).to.be.instanceOf(TokenRevokedError);
        expect(await rejection(instance.users.refresh(pair.refresh_token))).to.be.instanceOf(
          TokenRevokedError,
        );
      }
    });

    it('a session started after the logout-all lives, on either instance', async () => {
      const [ahead, behind] = twoInstances(storeFor());
      ahead.f.clock.advance(50);
      const user = await ahead.users.add(`u-${randomUUID()}@example.com`, 'password-1');
      await ahead.users.logoutAll(user);
      const pair = await behind.users.login(user.email, 'password-1');
      expect((await ahead.f.revocation.verifyAccessToken(pair.access_token)).sub).to.equal(
        String(user.id),
      );
    });

    it('a refresh on the instance behind the one that logged in is a new pair, not a 500', async () => {
      const [ahead, behind] = twoInstances(storeFor());
      ahead.f.clock.advance(50);
      const user = await ahead.users.add(`u-${randomUUID()}@example.com`, 'password-1');
      const pair = await ahead.users.login(user.email, 'password-1');
      const next = await behind.users.refresh(pair.refresh_token);
      expect(next.refresh_token).to.be.a('string');
    });

    it('a clock stepped back 1.5 s on one instance: the password change still ends the earlier session', async () => {
      const [instance] = twoInstances(storeFor());
      const user = await instance.users.add(`u-${randomUUID()}@example.com`, 'password-1');
      const pair = await instance.users.login(user.email, 'password-1');
      instance.f.clock.advance(-1500);
      await instance.users.changePassword(user, 'password-1', 'password-2');
      expect(
        await rejection(instance.f.revocation.verifyAccessToken(pair.access_token)),
      ).to.be.instanceOf(TokenRevokedError);
      expect(await rejection(instance.users.refresh(pair.refresh_token))).to.be.instanceOf(
        TokenRevokedError,
      );
    });
  });
}

describeClockSkew('memory store shared', () => {
  // The store's clock: the instances' clocks differ from it by their skew.
  const store = new MemoryRevocationStore(new FrozenClock());
  return () => store;
});

describe('on real Redis (two clients)', function () {
  let redis: Redis;
  let other: Redis;
  const prefixes: string[] = [];
  before(async function () {
    await requireServer(this, 'Redis', redisAnswers);
    [redis, other] = await Promise.all([connectRedis(), connectRedis()]);
  });
  after(async () => {
    if (redis !== undefined) for (const prefix of prefixes) await dropKeys(redis, prefix);
    redis?.disconnect();
    other?.disconnect();
  });
  describeClockSkew('Redis', () => {
    const keyPrefix = uniquePrefix();
    prefixes.push(keyPrefix);
    let made = 0;
    // Each instance its own client, on one Redis.
    const clock = new FrozenClock();
    return () => new RedisRevocationStore(made++ % 2 === 0 ? redis : other, { keyPrefix, clock });
  });
});
