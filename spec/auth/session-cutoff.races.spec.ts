import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { TokenRevokedError } from '../../src/errors/security-errors';
import { RedisRevocationStore } from '../../src/revocation/redis-revocation-store';
import type { RevocationStore } from '../../src/revocation/revocation-store';
import type { TokenPair } from '../../src/tokens/token-pair';
import type { FrozenClock } from '../helpers/frozen-clock';
import { MemoryUsers } from '../helpers/memory-users';
import type { TestUser } from '../helpers/memory-users';
import {
  connectRedis,
  requireServer,
  redisAnswers,
  uniquePrefix,
  dropKeys,
} from '../helpers/real-servers';
import { createSecurityFixture } from '../helpers/security-fixture';
import type { SecurityFixture } from '../helpers/security-fixture';

const TRIALS = 25;

/** Up to `most` turns of the event loop: moves one side of a race past the other's awaits. */
async function turns(most: number): Promise<void> {
  const count = Math.floor(Math.random() * (most + 1));
  for (let i = 0; i < count; i += 1) await new Promise((next) => setImmediate(next));
}

/** Users whose every lookup waits a random number of turns, so that awaits interleave. */
class SlowUsers extends MemoryUsers {
  override async getUserByUsername(username: string): Promise<TestUser | undefined> {
    await turns(6);
    return super.getUserByUsername(username);
  }
  override async getUserById(id: string): Promise<TestUser | undefined> {
    await turns(6);
    return super.getUserById(id);
  }
  override async updatePasswordHash(user: TestUser, hash: string): Promise<void> {
    await turns(3);
    return super.updatePasswordHash(user, hash);
  }
}

/** `true` when the operation succeeds; a refusal must be a revocation. */
async function succeeds(operation: Promise<unknown>): Promise<boolean> {
  try {
    await operation;
    return true;
  } catch (error) {
    expect(error).to.be.instanceOf(TokenRevokedError);
    return false;
  }
}

/** Whether anything of a session still works: its access token, or a refresh of it. */
async function stillWorks(
  f: SecurityFixture,
  users: SlowUsers,
  pair: TokenPair,
): Promise<string[]> {
  const working: string[] = [];
  if (await succeeds(f.revocation.verifyAccessToken(pair.access_token)))
    working.push('access token');
  if (await succeeds(users.refresh(pair.refresh_token))) working.push('refresh');
  return working;
}

function describeSessionRaces(
  name: string,
  storeFor: () => ((clock: FrozenClock) => RevocationStore) | undefined,
): void {
  describe(`a cutoff ends every session started before it, however the awaits interleave (${name})`, () => {
    let f: SecurityFixture;
    let users: SlowUsers;
    let user: TestUser;

    beforeEach(async () => {
      users = new SlowUsers();
      f = createSecurityFixture({ BCRYPT_ROUNDS: '4', LOGIN_MAX_ATTEMPTS: '100' }, storeFor(), {
        userAuthentication: users,
      });
      user = await users.add(`victim-${randomUUID()}@example.com`, 'old-password-1');
    });

    /** A thief rotating a stolen refresh token in a loop, keeping every pair it gets. */
    async function refreshLoop(start: TokenPair, stop: { done: boolean }): Promise<TokenPair[]> {
      const pairs = [start];
      for (let i = 0; i < 40 && !stop.done; i += 1) {
        try {
          pairs.push(await users.refresh(pairs[pairs.length - 1].refresh_token));
        } catch (error) {
          expect(error).to.be.instanceOf(TokenRevokedError);
          break;
        }
      }
      return pairs;
    }

    for (const ending of ['logoutAll', 'changePassword'] as const) {
      it(`item 1: ${ending} while a stolen refresh token is rotated in a loop leaves no working session (${TRIALS} trials)`, async () => {
        let survivors = 0;
        for (let trial = 0; trial < TRIALS; trial += 1) {
          const stolen = await users.login(user.email, currentPassword(trial, ending));
          const stop = { done: false };
          const thief = refreshLoop(stolen, stop);
          await turns(12);
          if (ending === 'logoutAll') await users.logoutAll(user);
          else
            await users.changePassword(
              user,
              currentPassword(trial, ending),
              currentPassword(trial + 1, ending),
            );
          const pairs = await thief.finally(() => (stop.done = true));
          for (const pair of pairs)
            if ((await stillWorks(f, users, pair)).length > 0) survivors += 1;
        }
        expect(survivors).to.equal(0);
      });
    }

    it(`item 2: a login with the old password during a password change gets no session that outlives it (${TRIALS} trials)`, async () => {
      let survivors = 0;
      let logins = 0;
      for (let trial = 0; trial < TRIALS; trial += 1) {
        const old = currentPassword(trial, 'changePassword');
        const login = users.login(user.email, old).catch(() => undefined);
        await turns(8);
        await users.changePassword(user, old, currentPassword(trial + 1, 'changePassword'));
        const pair = await login;
        if (pair === undefined) continue;
        logins += 1;
        if ((await stillWorks(f, users, pair)).length > 0) survivors += 1;
      }
      expect(survivors).to.equal(0);
      // Both orders happened: some logins won the race (and were ended), some lost it.
      expect(logins, 'logins that checked the old hash first').to.be.above(0);
    });

    it('a session started after the cutoff keeps working', async () => {
      await users.logoutAll(user);
      const pair = await users.login(user.email, 'old-password-1');
      expect(await stillWorks(f, users, pair)).to.deep.equal(['access token', 'refresh']);
    });
  });
}

/** The password in force at the start of trial `trial` (password changes advance it). */
function currentPassword(trial: number, ending: 'logoutAll' | 'changePassword'): string {
  return ending === 'logoutAll' || trial === 0 ? 'old-password-1' : `new-password-${trial}`;
}

describeSessionRaces('memory store', () => undefined);

describe('on real Redis', function () {
  let redis: Redis;
  // Every spec's users start at id 1 on the same frozen time: a prefix each keeps them apart.
  const prefixes: string[] = [];
  before(async function () {
    await requireServer(this, 'Redis', redisAnswers);
    redis = await connectRedis();
  });
  after(async () => {
    if (redis !== undefined) for (const prefix of prefixes) await dropKeys(redis, prefix);
    redis?.disconnect();
  });
  describeSessionRaces('Redis store', () => {
    const keyPrefix = uniquePrefix();
    prefixes.push(keyPrefix);
    return (clock) => new RedisRevocationStore(redis, { keyPrefix, clock });
  });
});
