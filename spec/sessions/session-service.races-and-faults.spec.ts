import { expect } from 'chai';
import type { Response } from 'supertest';
import { StoreUnavailableError } from '../../src/errors/security-errors';
import { MemoryRevocationStore } from '../../src/revocation/memory-revocation-store';
import { RefreshRotationService } from '../../src/revocation/refresh-rotation-service';
import { MemorySessionRegistry } from '../../src/sessions/memory-session-registry';
import type { SessionRecord, SessionRegistry } from '../../src/sessions/session-registry';
import type { SessionView } from '../../src/sessions/session-service';
import type { CookieApp } from '../helpers/cookie-app';
import { cookieApp } from '../helpers/cookie-app';
import { FrozenClock } from '../helpers/frozen-clock';

/**
 * Attack review of the sessions (issue 15), on one instance in memory with deterministic
 * interleavings: a registry whose methods can be made to fail, or to let another request run
 * first (what a second instance does between two of this one's awaits).
 * Each guards a finding of that review, or locks in what it verified.
 */

interface Pair {
  access_token: string;
  refresh_token: string;
}

type Method = 'add' | 'touch' | 'list' | 'get' | 'remove' | 'removeAllExcept';

/** A memory registry with faults and interleavings, method by method. */
class HookedRegistry implements SessionRegistry {
  readonly down = new Set<Method>();
  /** Run (once) when the method is called, before it does anything. */
  readonly before = new Map<Method, () => Promise<void>>();
  /** Run (once) after the method did its work, before its caller sees the answer. */
  readonly after = new Map<Method, () => Promise<void>>();

  constructor(readonly real: MemorySessionRegistry) {}

  private async run<T>(method: Method, work: () => Promise<T>): Promise<T> {
    const first = this.before.get(method);
    if (first !== undefined) {
      this.before.delete(method);
      await first();
    }
    if (this.down.has(method)) throw new StoreUnavailableError();
    const result = await work();
    const then = this.after.get(method);
    if (then !== undefined) {
      this.after.delete(method);
      await then();
    }
    return result;
  }

  add(session: SessionRecord, maxPerUser: number): Promise<SessionRecord[]> {
    return this.run('add', () => this.real.add(session, maxPerUser));
  }
  touch(userId: string, id: string, lastUsedAtMs: number): Promise<void> {
    return this.run('touch', () => this.real.touch(userId, id, lastUsedAtMs));
  }
  list(userId: string): Promise<SessionRecord[]> {
    return this.run('list', () => this.real.list(userId));
  }
  get(userId: string, id: string): Promise<SessionRecord | undefined> {
    return this.run('get', () => this.real.get(userId, id));
  }
  remove(userId: string, id: string): Promise<SessionRecord | undefined> {
    return this.run('remove', () => this.real.remove(userId, id));
  }
  removeAllExcept(userId: string, keepId: string | undefined): Promise<SessionRecord[]> {
    return this.run('removeAllExcept', () => this.real.removeAllExcept(userId, keepId));
  }
}

/** An access token's life (30 min), the leeway (0) and the clock lead (121 s), and a second. */
const PAST_ACCESS_LIFE_MS = 30 * 60_000 + 121_000 + 1000;

describe('sessions, races and faults: one instance in memory', () => {
  let app: CookieApp;
  let registry: HookedRegistry;
  let store: MemoryRevocationStore;

  async function start(env: Record<string, string> = {}): Promise<void> {
    const clock = new FrozenClock(Date.now());
    registry = new HookedRegistry(new MemorySessionRegistry(clock));
    store = new MemoryRevocationStore(clock);
    app = await cookieApp({
      clock,
      env: { LOGIN_MAX_ATTEMPTS: '1000', ...env },
      revocationStore: store,
      extra: { sessionRegistry: registry },
    });
  }

  const bearer = (pair: Pair) => ({ Authorization: `Bearer ${pair.access_token}` });
  const loginRequest = (device: string) =>
    app
      .http()
      .post('/auth/login')
      .set('User-Agent', device)
      .send({ username: 'user@example.com', password: 'user-password' });
  const login = async (device: string): Promise<Pair> =>
    (await loginRequest(device).expect(200)).body as Pair;
  const list = async (pair: Pair): Promise<SessionView[]> =>
    (await app.http().get('/auth/sessions').set(bearer(pair)).expect(200)).body as SessionView[];
  const works = async (pair: Pair) =>
    (await app.http().get('/things/mine').set(bearer(pair))).status === 200;
  const refresh = (pair: Pair) =>
    app.http().post('/auth/refresh').send({ refresh_token: pair.refresh_token });
  const familyOf = (token: string): string =>
    (
      JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as {
        fam: string;
      }
    ).fam;

  beforeEach(() => start());

  describe('MAX_SESSIONS_PER_USER: a session the bound ended stays ended', () => {
    it('an evicted session’s refresh token is refused by the injected RefreshRotationService too, once its access tokens’ revocation has lapsed', async () => {
      await start({ MAX_SESSIONS_PER_USER: '1' });
      const evicted = await login('Old phone');
      app.clock.advanceSeconds(1);
      await login('New phone');
      expect(app.events.filter((e) => e.type === 'session_ended')).to.have.length(1);
      app.clock.advance(PAST_ACCESS_LIFE_MS);
      // The workflow's refresh refuses it (the session is not registered any more) ...
      await refresh(evicted).expect(401);
      // ... but the service the README lists among "the services an app injects" (and the seed's
      // refreshAccessToken) rotates it: the ended session lives again, unlisted.
      const rotation = app.container.get(RefreshRotationService);
      const outcome = await rotation.refreshAccessToken(evicted.refresh_token).then(
        (pair) => pair,
        (error: unknown) => error,
      );
      expect(outcome, 'a new pair of an evicted session').to.be.instanceOf(Error);
    });

    it('a session logged out while a login registers frees its slot: the bound ends nothing, and every listed session lives', async () => {
      await start({ MAX_SESSIONS_PER_USER: '2' });
      const oldest = await login('Oldest');
      app.clock.advanceSeconds(1);
      const middle = await login('Middle');
      app.clock.advanceSeconds(1);
      // The login lists [Middle, Oldest] and ends Oldest (the bound) before it registers; in
      // that moment Middle logs out (another tab, or another instance).
      registry.before.set('add', async () => {
        await app.http().post('/auth/logout').set(bearer(middle)).expect(204);
      });
      const newest = await login('Newest');
      const ended = app.events.filter((e) => e.type === 'session_ended' && e.reason === 'limit');
      expect(ended).to.deep.equal([]);
      app.clock.advance(PAST_ACCESS_LIFE_MS);
      // No session ended by the limit comes back: none was; the two listed both refresh.
      await refresh(oldest).expect(200);
      const listed = (await list((await refresh(newest).expect(200)).body as Pair)).map(
        (s) => s.user_agent,
      );
      expect(listed).to.deep.equal(['Newest', 'Oldest']);
    });

    it('a login answered 503 because the registry failed to register it leaves the oldest session as it was', async () => {
      await start({ MAX_SESSIONS_PER_USER: '1' });
      const phone = await login('Phone');
      app.clock.advanceSeconds(1);
      registry.down.add('add');
      const failed = await loginRequest('Laptop');
      registry.down.delete('add');
      expect(failed.status).to.equal(503);
      expect(failed.body).not.to.have.property('access_token');
      // "After the 503 nothing changed": the phone's session should still be working. It was
      // revoked (for an access token's life) before the registration failed: its refresh is
      // refused now (the client drops it), and it comes back to life in 32 minutes.
      expect([await works(phone), (await refresh(phone)).status]).to.deep.equal([true, 200]);
    });

    it('a login with the revocation store down while it ends the oldest session answers 503, issues nothing, ends nothing', async () => {
      await start({ MAX_SESSIONS_PER_USER: '1' });
      const phone = await login('Phone');
      const realRevoke = store.revokeFamily.bind(store);
      store.revokeFamily = () => Promise.reject(new StoreUnavailableError());
      const failed = await loginRequest('Laptop');
      store.revokeFamily = realRevoke;
      expect(failed.status).to.equal(503);
      expect(await works(phone)).to.equal(true);
      expect((await list(phone)).map((s) => s.user_agent)).to.deep.equal(['Phone']);
      expect(app.events.filter((e) => e.type === 'session_ended')).to.deep.equal([]);
      await refresh(phone).expect(200);
    });
  });

  describe('ending sessions while another login lands', () => {
    it('DELETE /auth/sessions racing a login: the new session is either ended (tokens refused) or listed and live, never unlisted with a working access token', async () => {
      const current = await login('Current');
      await login('Other');
      let newcomer: Pair | undefined;
      // End-others listed and revoked [Other]; before it drops them from the registry, a login
      // lands (on another instance, or just later on this one).
      registry.before.set('remove', async () => {
        newcomer = await login('Newcomer');
      });
      await app.http().delete('/auth/sessions').set(bearer(current)).expect(204);
      const pair = newcomer as unknown as Pair;
      const listed = (await list(current)).map((s) => s.user_agent);
      const accessWorks = await works(pair);
      // Unlisted (so the user cannot end it: DELETE answers 404) and yet its access token works,
      // while its refresh token is refused (the user of that device is logged out at the next
      // refresh): half ended.
      const id = familyOf(pair.refresh_token);
      const endIt = await app.http().delete(`/auth/sessions/${id}`).set(bearer(current));
      const seen = { listed: listed.includes('Newcomer'), accessWorks, endIt: endIt.status };
      expect(seen).to.deep.equal(
        seen.listed
          ? { listed: true, accessWorks: true, endIt: 204 }
          : { listed: false, accessWorks: false, endIt: 404 },
      );
    });

    it('a login that starts after logout-all’s cutoff, while logout-all is forgetting the sessions, stays registered and refreshes', async () => {
      const old = await login('Old');
      let fresh: Pair | undefined;
      registry.before.set('remove', async () => {
        // The cutoff is in the store already: this login's session starts after it.
        fresh = await login('Fresh');
      });
      await app.http().post('/auth/logout-all').set(bearer(old)).expect(204);
      const pair = fresh as unknown as Pair;
      expect(await works(old)).to.equal(false);
      // A session the cutoff did not end: its access token works ...
      expect(await works(pair)).to.equal(true);
      // ... but logout-all dropped it from the registry: it is unlisted, and the device is
      // logged out at its first refresh (401 session_ended), though nothing ended it.
      const listed = (await list(pair)).map((s) => s.user_agent);
      const refreshed = (await refresh(pair)).status;
      expect({ listed, refreshed }).to.deep.equal({ listed: ['Fresh'], refreshed: 200 });
    });
  });

  describe('a registry failing in the middle of an end', () => {
    it('DELETE /auth/sessions/{id} with the registry failing after the revocation: the session is ended, audited, and the answer says so (204)', async () => {
      const mine = await login('Mine');
      const theirs = await login('Theirs');
      const id = familyOf(theirs.refresh_token);
      registry.down.add('remove');
      const answer = await app.http().delete(`/auth/sessions/${id}`).set(bearer(mine));
      registry.down.delete('remove');
      // Ended once revoked; dropping it from the list is best effort (the list leaves out
      // revoked sessions anyway).
      expect(answer.status).to.equal(204);
      expect((await list(mine)).map((s) => s.user_agent)).to.deep.equal(['Mine']);
      const stillWorks = await works(theirs);
      const audited = app.events.some((e) => e.type === 'session_ended');
      const retry = await app.http().delete(`/auth/sessions/${id}`).set(bearer(mine));
      const seen = { stillWorks, audited, retry: retry.status };
      expect(seen).to.deep.equal(
        stillWorks
          ? { stillWorks: true, audited: false, retry: 204 }
          : { stillWorks: false, audited: true, retry: seen.retry },
      );
    });

    it('DELETE /auth/sessions with the registry failing after the revocations: what it ended is audited', async () => {
      const mine = await login('Mine');
      const a = await login('A');
      const b = await login('B');
      registry.down.add('remove');
      const answer = await app.http().delete('/auth/sessions').set(bearer(mine));
      registry.down.delete('remove');
      expect(answer.status).to.equal(204);
      const ended = [await works(a), await works(b)].filter((w) => !w).length;
      const audited = app.events.filter((e) => e.type === 'session_ended').length;
      expect({ ended, audited }).to.deep.equal({ ended, audited: ended });
    });

    it('with the registry down, list, end one, end others and login answer 503 and change nothing; refresh answers 503 and does not spend the token', async () => {
      const mine = await login('Mine');
      app.clock.advanceSeconds(1);
      const theirs = await login('Theirs');
      const id = familyOf(theirs.refresh_token);
      for (const method of ['add', 'touch', 'list', 'get', 'remove', 'removeAllExcept'] as const)
        registry.down.add(method);
      const answers: Record<string, Response> = {
        list: await app.http().get('/auth/sessions').set(bearer(mine)),
        end: await app.http().delete(`/auth/sessions/${id}`).set(bearer(mine)),
        others: await app.http().delete('/auth/sessions').set(bearer(mine)),
        login: await loginRequest('Third'),
        refresh: await refresh(theirs),
      };
      registry.down.clear();
      for (const [route, response] of Object.entries(answers)) {
        expect([response.status, JSON.stringify(response.body)], route).to.deep.equal([
          503,
          JSON.stringify({
            error: 'temporarily_unavailable',
            error_description: (response.body as { error_description: string }).error_description,
          }),
        ]);
      }
      expect(await works(theirs)).to.equal(true);
      expect((await list(mine)).map((s) => s.user_agent)).to.deep.equal(['Theirs', 'Mine']);
      // The refresh that answered 503 spent nothing: the same token refreshes now.
      await refresh(theirs).expect(200);
      expect(app.events.filter((e) => e.type === 'session_ended')).to.deep.equal([]);
    });

    it('a refresh whose touch fails still answers 200 (best effort, reported)', async () => {
      const pair = await login('Mine');
      registry.down.add('touch');
      await refresh(pair).expect(200);
      registry.down.delete('touch');
      expect(app.errors.some((e) => e instanceof StoreUnavailableError)).to.equal(true);
    });
  });

  describe('the session gate', () => {
    it('a pair from createTokenPair (no registered session) refreshes through /auth/refresh as before, unlisted', async () => {
      const { TokenService } = await import('../../src/tokens/token-service');
      const tokens = app.container.get(TokenService);
      const pair = tokens.createTokenPair({ sub: '1', roles: ['user'] });
      const answer = await refresh(pair);
      expect(answer.status).to.equal(200);
      expect(app.errors).to.deep.equal([]);
      expect(await list(answer.body as Pair)).to.deep.equal([]);
    });
  });
});
