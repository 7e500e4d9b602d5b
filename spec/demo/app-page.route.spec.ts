import { expect } from 'chai';
import { demoHarness } from '../helpers/demo-harness';
import type { DemoHarness } from '../helpers/demo-harness';

/**
 * FAILS on the current code (demo contract deviation). demo-contract.md, "Browser clients: the
 * cookie transport", lists `GET /app/` (no auth) → 200, the demo's page (log in, see the user,
 * sessions, log out); demo/controllers/demo-controllers.ts and demo/config/demo-settings.ts
 * both name "the page at /app/" (ALLOWED_ORIGINS defaults to the demo's own origin for it),
 * but no route serves it.
 */
describe('attack: the demo serves the browser page of its contract', () => {
  let h: DemoHarness;
  beforeEach(async () => {
    h = await demoHarness();
  });
  afterEach(async () => h.close());

  it('GET /app/ is 200 HTML (today: 404 not_found)', async () => {
    const response = await h.http().get('/app/');
    expect({ status: response.status, type: response.headers['content-type'] }).to.deep.equal({
      status: 200,
      type: 'text/html; charset=utf-8',
    });
  });
});
