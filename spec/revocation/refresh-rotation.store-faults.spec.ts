import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { AuditTrail } from '../../src/audit/audit-trail';
import type { SecurityEvent } from '../../src/audit/security-event';
import { StoreUnavailableError } from '../../src/errors/security-errors';
import { createRedisClient } from '../../src/revocation/redis-client';
import { RedisRevocationStore } from '../../src/revocation/redis-revocation-store';
import { MemoryUsers } from '../helpers/memory-users';
import type { TestUser } from '../helpers/memory-users';
import { PrivateRedis, untilAnswering } from '../helpers/private-redis';
import { rejection } from '../helpers/rejection';
import { createSecurityFixture } from '../helpers/security-fixture';

/** Users whose lookup by id runs `hook` first (a store fault, a frozen Redis). */
class HookedUsers extends MemoryUsers {
  hook: (() => Promise<void>) | undefined;
  override async getUserById(id: string): Promise<TestUser | undefined> {
    const hook = this.hook;
    this.hook = undefined;
    if (hook !== undefined) await hook();
    return super.getUserById(id);
  }
}

/** Item 13: a refresh answered 503 leaves the session as it was, and its retry succeeds. */
describe('a refresh answered 503 has rotated nothing', () => {
  it('the user store failing after the token was checked: the retry succeeds, no reuse is logged', async () => {
    const users = new HookedUsers();
    const f = createSecurityFixture({ BCRYPT_ROUNDS: '4' }, undefined, {
      userAuthentication: users,
    });
    const events: SecurityEvent[] = [];
    f.container.get(AuditTrail).subscribe((event) => events.push(event));
    const user = await users.add(`u-${randomUUID()}@example.com`, 'password-1');
    const pair = await users.login(user.email, 'password-1');
    for (let attempt = 0; attempt < 3; attempt += 1) {
      users.hook = () => Promise.reject(new StoreUnavailableError());
      expect(await rejection(users.refresh(pair.refresh_token))).to.be.instanceOf(
        StoreUnavailableError,
      );
    }
    const next = await users.refresh(pair.refresh_token);
    expect(await f.revocation.verifyAccessToken(next.access_token)).to.have.property('sub');
    expect(events.map((event) => event.type)).not.to.include('refresh_reuse_detected');
    // And the strict rule still holds afterwards: the spent token again is reuse.
    expect(await rejection(users.refresh(pair.refresh_token))).to.have.property(
      'reason',
      'refresh_reuse',
    );
  });

  describe('Redis frozen while the refresh waits for its rotation', function () {
    let server: PrivateRedis;
    let redis: Redis;
    before(async () => {
      server = await PrivateRedis.start();
      redis = createRedisClient(server.url, { commandTimeout: 300 });
      await untilAnswering(redis);
    });
    after(async () => {
      server?.resume();
      redis?.disconnect();
      await server?.kill();
    });

    it('answers 503, and once Redis goes on, the retry succeeds and the session lives (5 trials)', async () => {
      const users = new HookedUsers();
      const f = createSecurityFixture(
        { BCRYPT_ROUNDS: '4' },
        (clock) => new RedisRevocationStore(redis, { keyPrefix: `frozen-${randomUUID()}:`, clock }),
        {
          userAuthentication: users,
        },
      );
      const events: SecurityEvent[] = [];
      f.container.get(AuditTrail).subscribe((event) => events.push(event));
      const user = await users.add(`u-${randomUUID()}@example.com`, 'password-1');
      let pair = await users.login(user.email, 'password-1');
      for (let trial = 0; trial < 5; trial += 1) {
        // The check has answered; Redis freezes before the rotation reaches it.
        users.hook = () => Promise.resolve(server.freeze());
        const refused = await rejection(users.refresh(pair.refresh_token));
        server.resume();
        expect(refused).to.be.instanceOf(StoreUnavailableError);
        // The rotation sent before the freeze has run by the time Redis answers this.
        await untilAnswering(redis);
        pair = await users.refresh(pair.refresh_token);
        expect(await f.revocation.verifyAccessToken(pair.access_token)).to.have.property('sub');
      }
      expect(events.map((event) => event.type)).not.to.include('refresh_reuse_detected');
    });
  });
});

describe('our event loop stalled past the command timeout while Redis did the rotation in time', () => {
  it('answers 503, undoes the rotation, and the retry succeeds (5 trials)', async function () {
    const server = await PrivateRedis.start();
    const redis = createRedisClient(server.url, { commandTimeout: 200 });
    try {
      await untilAnswering(redis);
      // The deadline is generous here: the rotation itself runs in time.
      const users = new MemoryUsers();
      const f = createSecurityFixture(
        { BCRYPT_ROUNDS: '4' },
        (clock) =>
          new RedisRevocationStore(redis, {
            keyPrefix: `stall-${randomUUID()}:`,
            clock,
            rotationWindowMs: 5000,
          }),
        { userAuthentication: users },
      );
      const events: SecurityEvent[] = [];
      f.container.get(AuditTrail).subscribe((event) => events.push(event));
      const user = await users.add(`u-${randomUUID()}@example.com`, 'password-1');
      let pair = await users.login(user.email, 'password-1');
      const scripted = redis as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
      const rotate = scripted['fastcoreRotateRefresh'].bind(redis);
      for (let trial = 0; trial < 5; trial += 1) {
        scripted['fastcoreRotateRefresh'] = (...args: unknown[]) => {
          const sent = rotate(...args);
          // Written to the socket; now the loop stalls before it reads the answer.
          setImmediate(() => {
            const end = performance.now() + 400;
            while (performance.now() < end);
          });
          return sent;
        };
        const refused = await rejection(users.refresh(pair.refresh_token));
        scripted['fastcoreRotateRefresh'] = rotate;
        expect(refused).to.be.instanceOf(StoreUnavailableError);
        pair = await users.refresh(pair.refresh_token);
        expect(await f.revocation.verifyAccessToken(pair.access_token)).to.have.property('sub');
      }
      expect(events.map((event) => event.type)).not.to.include('refresh_reuse_detected');
    } finally {
      redis.disconnect();
      await server.kill();
    }
  });
});
