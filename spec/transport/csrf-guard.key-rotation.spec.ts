import { expect } from 'chai';
import { MemoryRevocationStore } from '../../src/revocation/memory-revocation-store';
import { MemorySessionRegistry } from '../../src/sessions/memory-session-registry';
import {
  APP_ORIGIN,
  cookieApp,
  fromPage,
  pageLogin,
  pageRefresh,
  sessionOf,
} from '../helpers/cookie-app';
import { FrozenClock } from '../helpers/frozen-clock';
import { asymmetricEnvironment, testKeyPair } from '../helpers/test-keys';

/**
 * Regression (attack review): README "Asymmetric keys, JWKS and key rotation" promises a key
 * rotation "without logging anyone out". The cookie transport's CSRF token must survive it:
 * it is a random value of the session carried in its signed tokens (`fam_csrf`), not derived
 * from the signing key.
 */
describe('CSRF tokens across the documented signing key rotation', () => {
  const current = testKeyPair('ec-p256', 'rotation-current');
  const next = testKeyPair('ec-p256', 'rotation-next');

  async function deployments() {
    const clock = new FrozenClock(Date.now());
    const store = new MemoryRevocationStore(clock);
    // Two deployments of one app share its stores: revocations and sessions.
    const extra = { sessionRegistry: new MemorySessionRegistry(clock) };
    // Step 2 (publish the next key) and step 3 (switch), on one store and the same users.
    const published = await cookieApp({
      clock,
      revocationStore: store,
      extra,
      environment: asymmetricEnvironment('ES256', current, {
        ALLOWED_ORIGINS: APP_ORIGIN,
        JWT_ADDITIONAL_PUBLIC_KEYS: next.publicPem,
      }),
    });
    const switched = await cookieApp({
      clock,
      revocationStore: store,
      extra,
      environment: asymmetricEnvironment('ES256', next, {
        ALLOWED_ORIGINS: APP_ORIGIN,
        JWT_ADDITIONAL_PUBLIC_KEYS: current.publicPem,
      }),
    });
    return { published, switched };
  }

  it('a session started before the switch still reads (the tokens verify) ...', async () => {
    const { published, switched } = await deployments();
    const session = sessionOf(await pageLogin(published).expect(200));
    await switched.http().get('/things/mine').set('Cookie', session.cookie).expect(200);
  });

  it('... and still changes state, refreshes and logs out after the switch (today: 403 csrf_failed for all three)', async () => {
    const { published, switched } = await deployments();
    const session = sessionOf(await pageLogin(published).expect(200));
    const change = await fromPage(switched, session);
    const refresh = await pageRefresh(switched, session);
    const logout = await fromPage(switched, session, '/auth/cookie/logout');
    expect(
      [change, refresh, logout].map((r) => [r.status, (r.body as { error?: string }).error]),
    ).to.deep.equal([
      [200, undefined],
      [200, undefined],
      [204, undefined],
    ]);
  });

  it('during a rolling switch (one instance on each key) a session works on both (today: 403 on the switched one)', async () => {
    const { published, switched } = await deployments();
    const session = sessionOf(await pageLogin(published).expect(200));
    const statuses: number[] = [];
    for (const instance of [published, switched, published, switched]) {
      statuses.push((await fromPage(instance, session)).status);
    }
    expect(statuses).to.deep.equal([200, 200, 200, 200]);
  });
});
