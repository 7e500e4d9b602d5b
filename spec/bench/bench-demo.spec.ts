import { expect } from 'chai';
import { createBenchDemo } from '../../bench/servers/bench-demo';

/** `npm run bench` starts every server from this: it must start as production refuses nothing. */
describe('the benchmarks’ demo', () => {
  it('starts in production mode, with its user and admin signed in', async () => {
    const { demo, userToken, adminToken } = await createBenchDemo();
    try {
      expect(demo.settings.isProduction).to.equal(true);
      expect(userToken).to.be.a('string').and.not.equal(adminToken);
    } finally {
      await demo.close();
    }
  });
});
