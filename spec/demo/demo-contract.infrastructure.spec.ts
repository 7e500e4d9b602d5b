import { expect } from 'chai';
import { infrastructureHarness, sharedInfrastructure } from '../helpers/demo-harness';
import type { SharedInfrastructure } from '../helpers/demo-harness';
import { postgresAnswers, redisAnswers, requireServer } from '../helpers/real-servers';
import { describeDemoContract } from './demo-contract-behaviour';

describe('demo on PostgreSQL and Redis', function () {
  let infrastructure: SharedInfrastructure | undefined;

  before(async function () {
    await requireServer(this, 'Redis', redisAnswers);
    await requireServer(this, 'PostgreSQL', postgresAnswers);
  });
  afterEach(async () => {
    await infrastructure?.drop();
    infrastructure = undefined;
  });

  it('really keeps users in PostgreSQL and revocations in Redis', async () => {
    infrastructure = await sharedInfrastructure();
    const h = await infrastructureHarness(infrastructure);
    try {
      expect(h.demo.stores).to.deep.equal({ users: 'postgres', revocation: 'redis' });
    } finally {
      await h.close();
    }
  });

  describeDemoContract('DATABASE_URL and REDIS_URL set', async () => {
    infrastructure = await sharedInfrastructure();
    return infrastructureHarness(infrastructure);
  });
});
