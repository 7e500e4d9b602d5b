import { expect } from 'chai';
import { Pool } from 'pg';
import { CurrentPasswordError } from '../../src/errors/security-errors';
import { DemoUserAuthentication } from '../../demo/users/demo-user-authentication';
import { PgUserStore } from '../../demo/users/pg-user-store';
import { createSchema, postgresAnswers, requireServer } from '../helpers/real-servers';
import { createSecurityFixture } from '../helpers/security-fixture';

const TRIALS = 20;

/**
 * Item 3 across instances: two apps (each its own workflow, so no shared in-process lock)
 * over one PostgreSQL table. The demo's conditional UPDATE lets exactly one change win.
 */
describe('concurrent password changes on two instances over one PostgreSQL', function () {
  let schema: Awaited<ReturnType<typeof createSchema>>;
  let pool: Pool;
  before(async function () {
    await requireServer(this, 'PostgreSQL', postgresAnswers);
    schema = await createSchema();
    pool = new Pool({ connectionString: schema.url, max: 8 });
  });
  after(async () => {
    await pool?.end();
    await schema?.drop();
  });

  it(`exactly one of two changes with the right current password wins (${TRIALS} trials)`, async () => {
    const store = new PgUserStore(pool);
    const instances = [0, 1].map(() => {
      const users = new DemoUserAuthentication(store);
      createSecurityFixture({ BCRYPT_ROUNDS: '4', LOGIN_MAX_ATTEMPTS: '100' }, undefined, {
        userAuthentication: users,
      });
      return users;
    });
    const [a, b] = instances as [DemoUserAuthentication, DemoUserAuthentication];
    const created = await a.register('race@example.com', 'password-start', ['user']);
    expect(created).to.not.equal(undefined);
    let current = 'password-start';
    for (let trial = 0; trial < TRIALS; trial += 1) {
      // Each instance authenticated its request with the user as stored now.
      const [seenByA, seenByB] = await Promise.all([a.getUserById('1'), b.getUserById('1')]);
      const offered = [`password-${trial}-a`, `password-${trial}-b`];
      const outcomes = await Promise.allSettled([
        a.changePassword(seenByA!, current, offered[0]),
        b.changePassword(seenByB!, current, offered[1]),
      ]);
      const won = outcomes.flatMap((outcome, i) => (outcome.status === 'fulfilled' ? [i] : []));
      expect(won, `trial ${trial}`).to.have.length(1);
      const lost = outcomes.find((outcome) => outcome.status === 'rejected');
      expect(lost?.reason).to.be.instanceOf(CurrentPasswordError);
      current = offered[won[0]]!;
      expect(await a.authenticateUser('race@example.com', current)).to.not.equal(null);
    }
  });
});
