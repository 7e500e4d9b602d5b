import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { AuditTrail } from '../../src/audit/audit-trail';
import type { SecurityEvent } from '../../src/audit/security-event';
import { systemClock } from '../../src/clock/clock';
import { BaseAppSettings } from '../../src/config/base-app-settings';
import { TooManyAttemptsError } from '../../src/errors/security-errors';
import type { LoginAttempt } from '../../src/throttling/login-throttle';
import { LoginThrottle } from '../../src/throttling/login-throttle';
import { ThrottleKeys } from '../../src/throttling/throttle-keys';
import type { LimiterBackend } from '../helpers/limiter-backends';
import { onEachLimiterBackend } from '../helpers/limiter-backends';
import { rejection } from '../helpers/rejection';
import { testEnvironment } from '../helpers/test-environment';

const VICTIM = 'admin@example.com';
const ATTACKER = '198.51.100.9';
const VICTIM_HOME = '192.0.2.1';

describe('throttling cannot be turned against a user (catalogue L1, K1)', () => {
  onEachLimiterBackend((backend: () => LimiterBackend) => {
    let throttle: LoginThrottle;
    let events: SecurityEvent[];
    let b: LimiterBackend;

    function make(env: Record<string, string> = {}): void {
      const settings = new BaseAppSettings(
        testEnvironment({
          LOGIN_MAX_ATTEMPTS: '5',
          LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: '20',
          LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '10',
          LOGIN_LOCKOUT_SECONDS: '900',
          ...env,
        }),
      );
      const audit = new AuditTrail(systemClock);
      events = [];
      audit.subscribe((event) => events.push(event));
      b = backend();
      throttle = new LoginThrottle(
        b.limiters(settings),
        settings,
        audit,
        new ThrottleKeys(settings),
      );
    }
    beforeEach(() => make());

    const fail = async (attempt: LoginAttempt) => (await throttle.begin(attempt)).failed();
    const refused = async (attempt: LoginAttempt) =>
      expect(await rejection(throttle.begin(attempt))).to.be.instanceOf(TooManyAttemptsError);

    it('failures from one address lock that account from that address only: the owner logs in from elsewhere', async () => {
      for (let i = 0; i < 5; i += 1) await fail({ username: VICTIM, address: ATTACKER });
      for (let i = 0; i < 5; i += 1) await refused({ username: VICTIM, address: ATTACKER });
      await (await throttle.begin({ username: VICTIM, address: VICTIM_HOME })).succeeded();
    });

    it('requests refused by the address limit count against no account (the admin stays open)', async () => {
      for (let i = 0; i < 10; i += 1) await fail({ username: `x${i}`, address: ATTACKER });
      for (let i = 0; i < 50; i += 1) await refused({ username: VICTIM, address: ATTACKER });
      const entries = await b.entries();
      expect(entries.account.length, 'account counters').to.equal(10);
      for (let i = 0; i < 5; i += 1) await fail({ username: VICTIM, address: VICTIM_HOME });
      await refused({ username: VICTIM, address: VICTIM_HOME });
    });

    it('a locked address spraying many distinct usernames creates no per-account entries (issue 6)', async () => {
      for (let i = 0; i < 10; i += 1) await fail({ username: `x${i}`, address: ATTACKER });
      const before = await b.entries();
      for (let i = 0; i < 500; i += 1) {
        await refused({ username: `spray${i}@example.com`, address: ATTACKER });
      }
      const after = await b.entries();
      expect(after.account).to.have.members(before.account);
      expect(after.accountAddress).to.have.members(before.accountAddress);
      expect(after.address).to.have.length(1);
    });

    it('attempts refused by the pair lock give their address point back: a locked pair does not exhaust the address', async () => {
      for (let i = 0; i < 5; i += 1) await fail({ username: VICTIM, address: ATTACKER });
      for (let i = 0; i < 30; i += 1) await refused({ username: VICTIM, address: ATTACKER });
      // 5 of the address's 10 failures used: 5 more, on other accounts, are allowed
      for (let i = 0; i < 5; i += 1) await fail({ username: `o${i}`, address: ATTACKER });
      await refused({ username: 'o-last', address: ATTACKER });
    });

    it('a distributed guesser is bounded per account: LOGIN_MAX_ATTEMPTS_PER_ACCOUNT failures from all addresses lock the account', async () => {
      let failures = 0;
      for (let a = 0; a < 10; a += 1) {
        for (let i = 0; i < 5; i += 1) {
          try {
            await fail({ username: VICTIM, address: `203.0.113.${a}` });
            failures += 1;
          } catch (error) {
            expect(error).to.be.instanceOf(TooManyAttemptsError);
          }
        }
      }
      expect(failures).to.equal(20);
      await refused({ username: VICTIM, address: VICTIM_HOME });
      const scopes = events.flatMap((e) => (e.type === 'account_locked' ? [e.scope] : []));
      expect(scopes).to.include('account');
      expect(scopes).to.include('account_address');
    });

    it('without a client address the account is counted as one pair (the old per-account rule)', async () => {
      for (let i = 0; i < 5; i += 1) await fail({ username: VICTIM });
      await refused({ username: VICTIM });
    });

    it('the audit trail and the counters name accounts by a keyed hash, never an unsalted SHA-256 (issue 20)', async () => {
      for (let i = 0; i < 5; i += 1) await fail({ username: VICTIM, address: ATTACKER });
      const locked = events.find((e) => e.type === 'account_locked');
      const sha = (v: string) => createHash('sha256').update(v, 'utf8').digest('base64url');
      const plain = [sha(VICTIM), sha(ATTACKER), VICTIM, ATTACKER];
      expect(locked).to.not.equal(undefined);
      expect(plain).to.not.include((locked as { key: string }).key);
      const names = Object.values(await b.entries()).flat();
      for (const name of names) for (const p of plain) expect(name).to.not.include(p);
    });
  });
});
