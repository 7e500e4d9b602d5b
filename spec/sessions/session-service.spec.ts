import { expect } from 'chai';
import type { Principal } from '../../src/auth/principal';
import { AuditTrail } from '../../src/audit/audit-trail';
import { AccessPolicy } from '../../src/authorization/access-policy';
import { BaseAppSettings } from '../../src/config/base-app-settings';
import { ForbiddenError, SessionNotFoundError } from '../../src/errors/security-errors';
import { MemoryRevocationStore } from '../../src/revocation/memory-revocation-store';
import { MemorySessionRegistry } from '../../src/sessions/memory-session-registry';
import type { SessionRegistry } from '../../src/sessions/session-registry';
import { SessionService } from '../../src/sessions/session-service';
import type { SessionView } from '../../src/sessions/session-service';
import { TokenService } from '../../src/tokens/token-service';
import type { CookieApp } from '../helpers/cookie-app';
import { APP_ORIGIN, cookieApp, cookieLogin } from '../helpers/cookie-app';
import { FrozenClock } from '../helpers/frozen-clock';
import { rejection } from '../helpers/rejection';
import { testEnvironment } from '../helpers/test-environment';

interface Pair {
  access_token: string;
  refresh_token: string;
}

const bearer = (pair: Pair) => ({ Authorization: `Bearer ${pair.access_token}` });

describe('sessions a user can see and end, in an application of its own', () => {
  let app: CookieApp;
  let registry: MemorySessionRegistry;
  let store: MemoryRevocationStore;

  async function start(env: Record<string, string> = {}): Promise<void> {
    const clock = new FrozenClock(Date.now());
    registry = new MemorySessionRegistry(clock);
    store = new MemoryRevocationStore(clock);
    app = await cookieApp({
      clock,
      env,
      revocationStore: store,
      extra: { sessionRegistry: registry },
    });
  }

  async function login(
    userAgent = 'Device A',
    username = 'user@example.com',
    password = 'user-password',
  ): Promise<Pair> {
    const response = await app
      .http()
      .post('/auth/login')
      .set('User-Agent', userAgent)
      .send({ username, password })
      .expect(200);
    return response.body as Pair;
  }

  const list = async (pair: Pair): Promise<SessionView[]> =>
    (await app.http().get('/auth/sessions').set(bearer(pair)).expect(200)).body as SessionView[];
  const works = async (pair: Pair) =>
    (await app.http().get('/things/mine').set(bearer(pair))).status === 200;
  const refreshes = async (pair: Pair) =>
    (await app.http().post('/auth/refresh').send({ refresh_token: pair.refresh_token })).status ===
    200;

  beforeEach(() => start());

  it('lists the user’s sessions newest first, the current one marked, never a token', async () => {
    const first = await login('Device A');
    app.clock.advanceSeconds(60);
    const second = await login('Device B');
    const response = await app.http().get('/auth/sessions').set(bearer(second)).expect(200);
    expect(response.headers['cache-control']).to.equal('no-store');
    const sessions = response.body as SessionView[];
    expect(sessions.map((s) => [s.user_agent, s.current])).to.deep.equal([
      ['Device B', true],
      ['Device A', false],
    ]);
    expect(Object.keys(sessions[0] ?? {}).sort()).to.deep.equal(
      ['address', 'created_at', 'current', 'expires_at', 'id', 'last_used_at', 'user_agent'].sort(),
    );
    expect(sessions[0]?.address).to.be.a('string');
    // The session's absolute end, in whole seconds as the tokens' `fam_exp`.
    const lifetime =
      Date.parse(sessions[0]?.expires_at ?? '') - Date.parse(sessions[0]?.created_at ?? '');
    expect(lifetime).to.be.within(7 * 86_400_000 - 999, 7 * 86_400_000);
    const text = JSON.stringify(sessions);
    for (const token of [first.access_token, first.refresh_token, second.refresh_token]) {
      expect(text).not.to.include(token.split('.')[2]);
    }
    expect(text).not.to.match(/eyJ/);
    // Another user sees only their own.
    const other = await login('Device C', 'other@example.com', 'other-password');
    expect((await list(other)).map((s) => s.user_agent)).to.deep.equal(['Device C']);
  });

  it('a refresh moves last_used_at on, in the same session', async () => {
    const pair = await login();
    app.clock.advanceSeconds(90);
    const next = (
      await app.http().post('/auth/refresh').send({ refresh_token: pair.refresh_token }).expect(200)
    ).body as Pair;
    const [session] = await list(next);
    expect(session?.current).to.equal(true);
    expect(
      Date.parse(session?.last_used_at ?? '') - Date.parse(session?.created_at ?? ''),
    ).to.be.at.least(90_000);
  });

  it('ending a session stops its access and refresh tokens at once; the caller’s own goes on', async () => {
    const mine = await login('Device A');
    const theirs = await login('Device B');
    const target = (await list(mine)).find((s) => !s.current);
    await app
      .http()
      .delete(`/auth/sessions/${target?.id ?? ''}`)
      .set(bearer(mine))
      .expect(204);
    expect(await works(theirs)).to.equal(false);
    expect(await refreshes(theirs)).to.equal(false);
    expect(await works(mine)).to.equal(true);
    expect((await list(mine)).map((s) => s.user_agent)).to.deep.equal(['Device A']);
    expect(app.events.filter((e) => e.type === 'session_ended')).to.have.length(1);
    // Ending it again: it is no live session of the caller any more.
    await app
      .http()
      .delete(`/auth/sessions/${target?.id ?? ''}`)
      .set(bearer(mine))
      .expect(404);
  });

  it('another user’s session id answers exactly as an unknown one, and that session lives on', async () => {
    const mine = await login();
    const other = await login('Device C', 'other@example.com', 'other-password');
    const [theirs] = await list(other);
    const foreign = await app
      .http()
      .delete(`/auth/sessions/${theirs?.id ?? ''}`)
      .set(bearer(mine));
    const unknown = await app
      .http()
      .delete('/auth/sessions/00000000-0000-4000-8000-000000000000')
      .set(bearer(mine));
    for (const id of ['not-a-session', 'x'.repeat(5000), '%00', '..']) {
      const odd = await app
        .http()
        .delete(`/auth/sessions/${encodeURIComponent(id)}`)
        .set(bearer(mine));
      expect(odd.status, id).to.be.oneOf([404, 414, 431]);
    }
    expect([foreign.status, foreign.body]).to.deep.equal([unknown.status, unknown.body]);
    expect(foreign.status).to.equal(404);
    expect(await works(other)).to.equal(true);
  });

  it('ending all other sessions keeps the current one', async () => {
    const a = await login('A');
    const b = await login('B');
    const c = await login('C');
    await app.http().delete('/auth/sessions').set(bearer(b)).expect(204);
    expect([await works(a), await works(b), await works(c)]).to.deep.equal([false, true, false]);
    expect([await refreshes(a), await refreshes(c)]).to.deep.equal([false, false]);
    expect((await list(b)).map((s) => s.user_agent)).to.deep.equal(['B']);
  });

  it('logout drops the session from the list; logout-all and a password change empty it', async () => {
    const a = await login('A');
    const b = await login('B');
    await app.http().post('/auth/logout').set(bearer(a)).expect(204);
    expect((await list(b)).map((s) => s.user_agent)).to.deep.equal(['B']);
    const c = await login('C');
    await app.http().post('/auth/logout-all').set(bearer(c)).expect(204);
    expect(await registry.list('1')).to.deep.equal([]);
    const d = await login('D');
    await login('E');
    await app
      .http()
      .put('/users/me/password')
      .set(bearer(d))
      .send({ current_password: 'user-password', new_password: 'new-password-1' })
      .expect(204);
    expect(await registry.list('1')).to.deep.equal([]);
  });

  it('the session routes by cookie are CSRF-checked like every state change', async () => {
    const session = await cookieLogin(app);
    const other = await login('B');
    const listed = (
      await app.http().get('/auth/sessions').set('Cookie', session.cookie).expect(200)
    ).body as SessionView[];
    expect(listed.map((s) => s.current).sort()).to.deep.equal([false, true]);
    const target = listed.find((s) => !s.current);
    const refused = await app
      .http()
      .delete(`/auth/sessions/${target?.id ?? ''}`)
      .set('Origin', APP_ORIGIN)
      .set('Cookie', session.cookie);
    expect(refused.status).to.equal(403);
    expect(await works(other)).to.equal(true);
    await app
      .http()
      .delete(`/auth/sessions/${target?.id ?? ''}`)
      .set('Origin', APP_ORIGIN)
      .set('Cookie', session.cookie)
      .set('X-CSRF-Token', session.csrf)
      .expect(204);
    expect(await works(other)).to.equal(false);
    // Ending the current session is a logout: its cookies are cleared.
    const own = await app
      .http()
      .delete(`/auth/sessions/${listed.find((s) => s.current)?.id ?? ''}`)
      .set('Origin', APP_ORIGIN)
      .set('Cookie', session.cookie)
      .set('X-CSRF-Token', session.csrf)
      .expect(204);
    expect(String(own.headers['set-cookie'])).to.match(/Max-Age=0/);
    await app.http().get('/things/mine').set('Cookie', session.cookie).expect(401);
  });

  describe('MAX_SESSIONS_PER_USER', () => {
    it('a login past the bound ends the oldest session: its tokens stop at once', async () => {
      await start({ MAX_SESSIONS_PER_USER: '3' });
      const pairs: Pair[] = [];
      for (let i = 0; i < 5; i += 1) {
        pairs.push(await login(`Device ${i}`));
        app.clock.advanceSeconds(1);
      }
      const last = pairs[4];
      expect((await list(last)).map((s) => s.user_agent)).to.deep.equal([
        'Device 4',
        'Device 3',
        'Device 2',
      ]);
      for (const evicted of pairs.slice(0, 2)) {
        expect(await works(evicted)).to.equal(false);
        expect(await refreshes(evicted)).to.equal(false);
      }
      for (const kept of pairs.slice(2)) expect(await works(kept)).to.equal(true);
      const limits = app.events.filter((e) => e.type === 'session_ended' && e.reason === 'limit');
      expect(limits).to.have.length(2);
    });

    it('a script logging in in a loop grows neither the registry nor the revocation store', async () => {
      await start({ MAX_SESSIONS_PER_USER: '5', LOGIN_MAX_ATTEMPTS: '1000' });
      // An evicted session's entry lives as long as its access tokens could (30 min, plus the
      // 121 s clock lead): with a login every 10 s, at most that many are alive at once,
      // plus the minute the memory store waits between sweeps, however long the loop runs.
      const aliveAtOnce = Math.ceil((30 * 60 + 121) / 10) + 60 / 10 + 1;
      const sizes: number[] = [];
      for (let i = 0; i < 600; i += 1) {
        await login(`Loop ${i}`);
        app.clock.advanceSeconds(10);
        if (i % 100 === 99) sizes.push(store.size);
        expect(registry.size).to.be.at.most(5);
      }
      expect((await registry.list('1')).length).to.equal(5);
      expect(Math.max(...sizes)).to.be.at.most(aliveAtOnce);
      // Flat: twice the logins, no more entries (within one sweep's slack).
      const [, , atThreeHundred = 0, , , atSixHundred = 0] = sizes;
      expect(atSixHundred).to.be.at.most(atThreeHundred + 60 / 10 + 1);
    });
  });

  describe('SessionService.endFor: an administrator ends anyone’s session', () => {
    const principal = (sub: string, roles: string[], fam?: string): Principal => ({
      user: { id: sub },
      claims: { sub, fam } as Principal['claims'],
      roles,
      transport: 'bearer',
    });

    it('with the grant, any user’s session; without it, 403; an unknown id, 404', async () => {
      const clock = new FrozenClock();
      const sessions: SessionRegistry = new MemorySessionRegistry(clock);
      const revocations = new MemoryRevocationStore(clock);
      const settings = new BaseAppSettings(testEnvironment());
      const service = new SessionService(
        sessions,
        revocations,
        settings,
        new AccessPolicy(),
        new AuditTrail(clock),
        clock,
        () => undefined,
      );
      const family = new TokenService(settings, clock).startFamily();
      await service.started('42', family, { address: '192.0.2.1' });
      expect(
        await rejection(service.endFor(principal('7', ['user']), '42', family.id, ['admin'])),
      ).to.be.instanceOf(ForbiddenError);
      expect(
        await rejection(
          service.endFor(principal('1', ['admin']), '42', '00000000-0000-4000-8000-000000000000', [
            'admin',
          ]),
        ),
      ).to.be.instanceOf(SessionNotFoundError);
      await service.endFor(principal('1', ['admin']), '42', family.id, ['admin']);
      expect(await sessions.list('42')).to.deep.equal([]);
      expect(
        await revocations.isRevoked({
          jti: 'x',
          subject: '42',
          startedAtMs: family.startedAtMs,
          familyId: family.id,
        }),
      ).to.equal(true);
    });
  });
});
