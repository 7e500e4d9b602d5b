import { expect } from 'chai';
import { Pool } from 'pg';
import { TOTP_PERIOD_SECONDS } from '../../src/mfa/totp-codes';
import { bearer, demoHarness, twoInstances } from '../helpers/demo-harness';
import type { DemoHarness, TwoInstances } from '../helpers/demo-harness';
import { USER } from '../helpers/catalogue';
import { postgresAnswers, redisAnswers, requireServer } from '../helpers/real-servers';
import { authenticator } from '../helpers/second-factor-users';

const STEP_MS = TOTP_PERIOD_SECONDS * 1000;
const TOTP_ENCRYPTION_KEY = 'spec-totp-key-material-of-at-least-32-bytes';

/** Enrols and confirms the user's second factor on `on`; the code is of `clock`'s time. */
async function enable(on: DemoHarness, confirmOn: DemoHarness = on) {
  const { access_token } = await on.login(USER.username, USER.password);
  const enrolment = await on.http().post('/auth/2fa/enroll').set(bearer(access_token)).expect(200);
  const body = enrolment.body as { otpauth_url: string; recovery_codes: string[] };
  const code = authenticator(body.otpauth_url);
  await confirmOn
    .http()
    .post('/auth/2fa/confirm')
    .set(bearer(access_token))
    .send({ code: code(confirmOn.clock.now()) })
    .expect(204);
  return { ...body, code, access_token };
}

async function challenge(on: DemoHarness): Promise<string> {
  const answer = await on.http().post('/auth/login').send(USER).expect(200);
  expect(answer.body).to.have.keys('mfa_required', 'challenge');
  return (answer.body as { challenge: string }).challenge;
}

/** Moves both clocks a step on: the codes used so far are spent. */
function nextStep(...instances: DemoHarness[]): void {
  for (const instance of instances) instance.clock.advance(STEP_MS);
}

/**
 * Issue 17, item 4: the demo's TOTP second factor, end to end: enrolment, the two-step login,
 * `mfa_enabled` on the user, disabling; on two instances, one code accepted once.
 */
describe('demo: the TOTP second factor', function () {
  this.timeout(30_000);

  describe('on the embedded default (memory)', () => {
    let h: DemoHarness;
    beforeEach(async () => {
      h = await demoHarness();
    });
    afterEach(async () => h.close());

    it('enrols, confirms, logs in with a code, shows mfa_enabled, and disables with a fresh code', async () => {
      const { code } = await enable(h);
      nextStep(h);
      const token = await challenge(h);
      const pair = (
        await h
          .http()
          .post('/auth/2fa/verify')
          .send({ challenge: token, code: code(h.clock.now()) })
          .expect(200)
      ).body as { access_token: string };
      const me = await h.http().get('/users/me').set(bearer(pair.access_token)).expect(200);
      expect(me.body).to.include({ mfa_enabled: true });
      nextStep(h);
      await h
        .http()
        .post('/auth/2fa/disable')
        .set(bearer(pair.access_token))
        .send({ code: code(h.clock.now()) })
        .expect(204);
      const after = await h.http().get('/users/me').set(bearer(pair.access_token)).expect(200);
      expect(after.body).to.include({ mfa_enabled: false });
      await h.login(USER.username, USER.password);
    });

    it('a wrong code is 401 invalid_credentials; the secret and the codes are in no log line', async () => {
      const { otpauth_url, recovery_codes } = await enable(h);
      nextStep(h);
      const wrong = await h
        .http()
        .post('/auth/2fa/verify')
        .send({ challenge: await challenge(h), code: '000000' })
        .expect(401);
      expect(wrong.body).to.include({ error: 'invalid_credentials' });
      const secret = new URL(otpauth_url).searchParams.get('secret') ?? '';
      const logs = h.logs.join('\n');
      for (const shown of [secret, ...recovery_codes]) expect(logs).not.to.include(shown);
    });
  });

  describe('two instances on PostgreSQL and Redis', () => {
    let pair: TwoInstances;
    before(async function () {
      await requireServer(this, 'Redis', redisAnswers);
      await requireServer(this, 'PostgreSQL', postgresAnswers);
    });
    beforeEach(async () => {
      // The losers of each trial are replayed codes, failures the account's guess counter
      // keeps: the winner's success clears only what was counted before it, so over the
      // trials they may add up to the default MFA_MAX_ATTEMPTS (5) and lock the account.
      pair = await twoInstances({
        TOTP_ENCRYPTION_KEY,
        LOGIN_MAX_ATTEMPTS: '1000',
        MFA_MAX_ATTEMPTS: '100',
      });
    });
    afterEach(async () => pair.close());

    it('enrolled on one, confirmed on the other; of second steps with one code on both, exactly one gets tokens (many trials)', async () => {
      const { a, b } = pair;
      const { code } = await enable(a, b);
      for (let trial = 0; trial < 10; trial += 1) {
        nextStep(a, b);
        const tokens = await Promise.all([challenge(a), challenge(b), challenge(a), challenge(b)]);
        const answers = await Promise.all(
          tokens.map((token, i) =>
            (i % 2 === 0 ? a : b)
              .http()
              .post('/auth/2fa/verify')
              .send({ challenge: token, code: code(a.clock.now()) }),
          ),
        );
        const statuses = answers.map((answer) => answer.status);
        expect(
          statuses.filter((s) => s === 200),
          `trial ${trial}: ${statuses.join()}`,
        ).to.have.length(1);
        expect(statuses.every((s) => s === 200 || s === 400 || s === 401)).to.equal(true);
      }
    });

    it('the record is in PostgreSQL, its secret sealed: the column holds neither the secret nor a recovery code', async () => {
      const { a, b } = pair;
      const { otpauth_url, recovery_codes } = await enable(a);
      const pool = new Pool({ connectionString: pair.infrastructure.databaseUrl, max: 1 });
      const rows = await pool
        .query<{ mfa: string | null }>('SELECT mfa FROM users WHERE email = $1', [USER.username])
        .finally(() => pool.end());
      const record = rows.rows[0]?.mfa ?? '';
      expect(record).to.match(/"on":true/);
      const secret = new URL(otpauth_url).searchParams.get('secret') ?? '';
      for (const shown of [secret, ...recovery_codes]) expect(record).not.to.include(shown);
      // A recovery code used on one instance is spent on the other.
      nextStep(a, b);
      const [first = ''] = recovery_codes;
      await b
        .http()
        .post('/auth/2fa/verify')
        .send({ challenge: await challenge(b), code: first })
        .expect(200);
      await a
        .http()
        .post('/auth/2fa/verify')
        .send({ challenge: await challenge(a), code: first })
        .expect(401);
    });
  });
});
