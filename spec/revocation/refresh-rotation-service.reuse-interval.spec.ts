import { expect } from 'chai';
import { MemoryRevocationStore } from '../../src/revocation/memory-revocation-store';
import type { SessionView } from '../../src/sessions/session-service';
import type { CookieApp } from '../helpers/cookie-app';
import { cookieApp } from '../helpers/cookie-app';
import { FrozenClock } from '../helpers/frozen-clock';

/**
 * Attack review of REFRESH_REUSE_INTERVAL_SECONDS (issue 15), through the auth routes on one
 * instance in memory with a frozen clock: can a thief with a spent refresh token go beyond the
 * interval by chaining grace refreshes, does a grace pair count as a token of the session
 * afterwards, does the interval survive a logout, an end or an eviction, and is it measured
 * from the right rotation.

 */

interface Pair {
  access_token: string;
  refresh_token: string;
}

describe('REFRESH_REUSE_INTERVAL_SECONDS=5 against a thief with a spent refresh token', () => {
  let app: CookieApp;

  async function start(env: Record<string, string> = {}): Promise<void> {
    const clock = new FrozenClock(Date.now());
    app = await cookieApp({
      clock,
      env: { REFRESH_REUSE_INTERVAL_SECONDS: '5', LOGIN_MAX_ATTEMPTS: '1000', ...env },
      revocationStore: new MemoryRevocationStore(clock),
    });
  }
  beforeEach(() => start());

  const bearer = (pair: Pair) => ({ Authorization: `Bearer ${pair.access_token}` });
  const login = async (device = 'Device'): Promise<Pair> =>
    (
      await app
        .http()
        .post('/auth/login')
        .set('User-Agent', device)
        .send({ username: 'user@example.com', password: 'user-password' })
        .expect(200)
    ).body as Pair;
  const refresh = (pair: Pair) =>
    app.http().post('/auth/refresh').send({ refresh_token: pair.refresh_token });
  const refreshed = async (pair: Pair): Promise<Pair> =>
    (await refresh(pair).expect(200)).body as Pair;
  const works = async (pair: Pair) =>
    (await app.http().get('/things/mine').set(bearer(pair))).status === 200;
  const generationOf = (token: string): number =>
    (
      JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as {
        fam_gen: number;
      }
    ).fam_gen;
  const reuses = () => app.events.filter((e) => e.type === 'refresh_reuse_detected').length;

  it('a thief cannot chain grace refreshes past the interval: the spent token is measured from its own rotation, and an older one is reuse', async () => {
    const g0 = await login();
    const owner = await refreshed(g0); // rotation 0 → 1 at T
    app.clock.advanceSeconds(4);
    const stolen = await refreshed(g0); // grace: a pair of generation 1
    expect(generationOf(stolen.refresh_token)).to.equal(1);
    const thief = await refreshed(stolen); // rotation 1 → 2 at T+4
    expect(generationOf(thief.refresh_token)).to.equal(2);
    app.clock.advanceSeconds(3); // T+7: within 5 s of the latest rotation, not of g0's
    // g0 is two generations back now: reuse, whatever the last rotation's time.
    await refresh(g0).expect(401);
    expect(reuses()).to.equal(1);
    for (const pair of [owner, stolen, thief]) expect(await works(pair)).to.equal(false);
  });

  it('the spent token gets grace only until 5 s after the rotation that spent it, however often it is presented within them', async () => {
    const g0 = await login();
    const owner = await refreshed(g0);
    for (let second = 1; second <= 5; second += 1) {
      app.clock.advanceSeconds(1);
      const grace = await refreshed(g0);
      expect(generationOf(grace.refresh_token), `second ${second}`).to.equal(1);
    }
    app.clock.advance(1);
    await refresh(g0).expect(401);
    expect(await works(owner)).to.equal(false);
  });

  it('a grace pair’s refresh token is one of the current generation: refreshed once it rotates the session; presented after a later rotation and its interval, it is reuse and ends the session', async () => {
    const g0 = await login();
    const owner = await refreshed(g0);
    app.clock.advanceSeconds(1);
    const tab = await refreshed(g0); // the second tab's grace pair (generation 1)
    app.clock.advanceSeconds(1);
    const ownerNext = await refreshed(owner); // 1 → 2
    app.clock.advanceSeconds(6);
    await refresh(tab).expect(401); // generation 1, 6 s after its rotation: reuse
    expect(reuses()).to.equal(1);
    expect(await works(ownerNext)).to.equal(false);
  });

  it('the interval is measured from the latest rotation: generation 1 gets grace 4 s after 1 → 2 even 7 s after 0 → 1', async () => {
    const g0 = await login();
    const g1 = await refreshed(g0);
    app.clock.advanceSeconds(3);
    const g2 = await refreshed(g1);
    app.clock.advanceSeconds(4);
    const grace = await refreshed(g1);
    expect(generationOf(grace.refresh_token)).to.equal(2);
    expect([await works(g2), await works(grace)]).to.deep.equal([true, true]);
    expect(reuses()).to.equal(0);
  });

  it('no grace after a logout, an end of the session or its eviction: 401 within the interval', async () => {
    // Logout with the newest pair's access token.
    const loggedOut = await login('Logout');
    const afterLogout = await refreshed(loggedOut);
    await app.http().post('/auth/logout').set(bearer(afterLogout)).expect(204);
    await refresh(loggedOut).expect(401);
    await refresh(afterLogout).expect(401);

    // Ended from another session.
    const controller = await login('Controller');
    const victim = await login('Victim');
    const victimNext = await refreshed(victim);
    const sessions = (await app.http().get('/auth/sessions').set(bearer(controller)).expect(200))
      .body as SessionView[];
    const target = sessions.find((s) => s.user_agent === 'Victim');
    await app
      .http()
      .delete(`/auth/sessions/${target?.id ?? ''}`)
      .set(bearer(controller))
      .expect(204);
    await refresh(victim).expect(401);
    await refresh(victimNext).expect(401);

    // Evicted by the bound.
    await start({ MAX_SESSIONS_PER_USER: '1' });
    const old = await login('Old');
    const oldNext = await refreshed(old);
    app.clock.advanceSeconds(1);
    const fresh = await login('New');
    await refresh(old).expect(401);
    await refresh(oldNext).expect(401);
    expect(await works(oldNext)).to.equal(false);
    expect(await works(fresh)).to.equal(true);
  });

  it('with the default 0, the spent token presented again at once ends the session (no grace)', async () => {
    await start({ REFRESH_REUSE_INTERVAL_SECONDS: '0' });
    const g0 = await login();
    const g1 = await refreshed(g0);
    await refresh(g0).expect(401);
    expect(await works(g1)).to.equal(false);
    expect(reuses()).to.equal(1);
  });
});
