import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { ConfigurationError } from '../../src/errors/security-errors';
import { MemoryRevocationStore } from '../../src/revocation/memory-revocation-store';
import { RedisRevocationStore } from '../../src/revocation/redis-revocation-store';
import type {
  NextGeneration,
  RefreshTokenState,
  RevocationStore,
  TokenRevocationState,
} from '../../src/revocation/revocation-store';
import { MemorySessionRegistry } from '../../src/sessions/memory-session-registry';
import { cookieApp } from '../helpers/cookie-app';
import { FrozenClock } from '../helpers/frozen-clock';
import {
  connectRedis,
  dropKeys,
  redisAnswers,
  requireServer,
  uniquePrefix,
} from '../helpers/real-servers';
import { rejection } from '../helpers/rejection';
import { TEST_SECRET_KEY } from '../helpers/test-environment';

/**
 * Attack review of where the session registry comes from (issue 15): configuration footguns.
 *
 * A store of one's own without a registry is refused at start, with a message that says
 * what to do and quotes no secret; a Redis store with braces in its key prefix starts (the
 * registry's keys carry the users' hash tags, not the prefix's); a Redis store beside an
 * explicit memory registry (each instance its own registry) is refused.
 */

/** A store of the application's own: here, instrumentation around the memory store. */
class InstrumentedStore implements RevocationStore {
  readonly calls: string[] = [];
  constructor(private readonly inner: RevocationStore) {}
  revokeToken(subject: string, jti: string, expiresAtMs: number) {
    this.calls.push('revokeToken');
    return this.inner.revokeToken(subject, jti, expiresAtMs);
  }
  revokeFamily(subject: string, familyId: string, expiresAtMs: number) {
    return this.inner.revokeFamily(subject, familyId, expiresAtMs);
  }
  revokeUserTokens(subject: string, cutoffMs: number, expiresAtMs: number) {
    return this.inner.revokeUserTokens(subject, cutoffMs, expiresAtMs);
  }
  sessionEpoch() {
    return this.inner.sessionEpoch();
  }
  isRevoked(token: TokenRevocationState) {
    return this.inner.isRevoked(token);
  }
  checkRefreshToken(token: RefreshTokenState) {
    return this.inner.checkRefreshToken(token);
  }
  rotateRefreshToken(token: RefreshTokenState, next: NextGeneration) {
    return this.inner.rotateRefreshToken(token, next);
  }
}

describe('the session registry beside the revocation store', () => {
  it('a revocation store of one’s own without a sessionRegistry is refused when the app is configured, naming the option and what to do', async () => {
    const clock = new FrozenClock();
    const error = await rejection(
      cookieApp({
        clock,
        revocationStore: new InstrumentedStore(new MemoryRevocationStore(clock)),
      }),
    );
    expect(error).to.be.instanceOf(ConfigurationError);
    const message = (error as Error).message;
    expect(message).to.include('sessionRegistry');
    expect(message).to.match(/share/);
    expect(message).not.to.include(TEST_SECRET_KEY);
  });

  it('with its sessionRegistry given, a store of one’s own works end to end', async () => {
    const clock = new FrozenClock();
    const app = await cookieApp({
      clock,
      revocationStore: new InstrumentedStore(new MemoryRevocationStore(clock)),
      extra: { sessionRegistry: new MemorySessionRegistry(clock) },
    });
    const pair = (
      await app
        .http()
        .post('/auth/login')
        .send({ username: 'user@example.com', password: 'user-password' })
        .expect(200)
    ).body as { refresh_token: string };
    await app.http().post('/auth/refresh').send({ refresh_token: pair.refresh_token }).expect(200);
  });

  describe('on Redis', function () {
    let redis: Redis;
    let prefix: string;
    before(async function () {
      await requireServer(this, 'Redis', redisAnswers);
      redis = await connectRedis();
    });
    after(() => redis?.disconnect());
    beforeEach(() => {
      prefix = uniquePrefix();
    });
    afterEach(() => dropKeys(redis, prefix));

    it('a RedisRevocationStore whose keyPrefix holds braces (`{myapp}:`, accepted before each user had a hash tag) is refused at once with a ConfigurationError naming keyPrefix', () => {
      expect(() => new RedisRevocationStore(redis, { keyPrefix: `{${prefix}}:` }))
        .to.throw(ConfigurationError)
        .with.property('message')
        .that.includes('keyPrefix');
    });

    it('a RedisRevocationStore beside an explicit MemorySessionRegistry (each instance a registry of its own) is refused or reported at start, not found out at the first refresh on another instance', async () => {
      const clock = new FrozenClock(Date.now());
      const instance = () =>
        cookieApp({
          clock,
          revocationStore: new RedisRevocationStore(redis, { keyPrefix: prefix, clock }),
          extra: { sessionRegistry: new MemorySessionRegistry(clock) },
        });
      const started = await instance().then(
        (app) => app,
        (error: unknown) => error,
      );
      if (started instanceof ConfigurationError) return;
      const a = started as Awaited<ReturnType<typeof instance>>;
      const b = await instance();
      for (const [key, user] of a.users.users) b.users.users.set(key, user);
      const pair = (
        await a
          .http()
          .post('/auth/login')
          .send({ username: 'user@example.com', password: 'user-password' })
          .expect(200)
      ).body as { refresh_token: string };
      const onB = await b.http().post('/auth/refresh').send({ refresh_token: pair.refresh_token });
      // Today: 401 on B (the session is in A's memory only): every user is logged out by the
      // load balancer, and nothing said why at start.
      expect({ reported: a.errors.length > 0, refreshOnB: onB.status }).to.deep.equal({
        reported: true,
        refreshOnB: onB.status,
      });
    });
  });
});
