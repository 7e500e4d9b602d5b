import bcrypt from 'bcrypt';
import { expect } from 'chai';
import { BaseAppSettings } from '../../src/config/base-app-settings';
import { ServerBusyError } from '../../src/errors/security-errors';
import { toHttpProblem } from '../../src/koa/http-problem';
import { PasswordHasher } from '../../src/password/password-hasher';
import { spyOnBcryptCompare } from '../helpers/bcrypt-spy';
import { testEnvironment } from '../helpers/test-environment';

describe('PasswordHasher: bounded bcrypt work (catalogue K3, issue 11)', () => {
  const hasherWith = (env: Record<string, string> = {}) =>
    new PasswordHasher(new BaseAppSettings(testEnvironment(env)));

  for (let trial = 0; trial < 20; trial += 1) {
    it(`a storm of concurrent verifies beyond BCRYPT_MAX_QUEUED is refused at once, nothing crashes, the slots come back (trial ${trial})`, async () => {
      const hasher = hasherWith({ BCRYPT_MAX_QUEUED: '3' });
      const hash = await hasher.getPasswordHash('right-password');
      const storm = await Promise.allSettled(
        Array.from({ length: 40 }, (_, i) =>
          hasher.verifyPassword(i % 2 ? 'right-password' : 'wrong', i % 3 ? hash : null),
        ),
      );
      const refused = storm.filter((r) => r.status === 'rejected');
      expect(storm.length - refused.length, 'admitted').to.equal(3);
      for (const r of refused) expect(r.reason).to.be.instanceOf(ServerBusyError);
      expect(hasher.workLimit.active).to.equal(0);
      expect(await hasher.verifyPassword('right-password', hash)).to.equal(true);
    });
  }

  it('frees its slot when the work throws', async () => {
    const hasher = hasherWith({ BCRYPT_MAX_QUEUED: '1' });
    const failing = await hasher.workLimit
      .run(() => Promise.reject(new Error('boom')))
      .catch((e: unknown) => e);
    expect(failing).to.be.instanceOf(Error);
    expect(hasher.workLimit.active).to.equal(0);
    expect(await hasher.verifyPassword('x', null)).to.equal(false);
  });

  it('a refusal is a 503 temporarily_unavailable with Retry-After', () => {
    const answer = toHttpProblem(new ServerBusyError());
    expect(answer).to.include({ status: 503, error: 'temporarily_unavailable', retryAfter: 1 });
  });

  it('defaults to 4 × the thread pool', () => {
    expect(new BaseAppSettings(testEnvironment()).BCRYPT_MAX_QUEUED).to.equal(16);
    expect(
      new BaseAppSettings(testEnvironment({ UV_THREADPOOL_SIZE: '8' })).BCRYPT_MAX_QUEUED,
    ).to.equal(32);
  });
});

describe('PasswordHasher: a failed login costs the configured cost whatever the stored cost (catalogue L4, issue 19)', () => {
  let spy: ReturnType<typeof spyOnBcryptCompare>;
  beforeEach(() => (spy = spyOnBcryptCompare()));
  afterEach(() => spy.restore());

  const costs = () => spy.calls.map((c) => Number(c.hash.slice(4, 6)));

  it('a wrong password on a cheaper stored hash also runs a compare at the configured cost', async () => {
    const hasher = new PasswordHasher(new BaseAppSettings(testEnvironment({ BCRYPT_ROUNDS: '6' })));
    const cheap = await bcrypt.hash('right-password', 4);
    spy.calls.length = 0;
    expect(await hasher.verifyPassword('wrong', cheap)).to.equal(false);
    expect(costs()).to.have.members([4, 6]);
    spy.calls.length = 0;
    expect(await hasher.verifyPassword('wrong', null)).to.equal(false);
    expect(costs()).to.deep.equal([6]);
    spy.calls.length = 0;
    expect(await hasher.verifyPassword('right-password', cheap)).to.equal(true);
    expect(Math.max(...costs())).to.equal(6);
  });

  it('a stored hash at the configured cost is compared once', async () => {
    const hasher = new PasswordHasher(new BaseAppSettings(testEnvironment({ BCRYPT_ROUNDS: '5' })));
    const hash = await hasher.getPasswordHash('right-password');
    spy.calls.length = 0;
    expect(await hasher.verifyPassword('wrong', hash)).to.equal(false);
    expect(costs()).to.deep.equal([5]);
  });
});
