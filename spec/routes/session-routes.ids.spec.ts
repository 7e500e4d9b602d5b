import { expect } from 'chai';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Response } from 'supertest';
import { MemoryRevocationStore } from '../../src/revocation/memory-revocation-store';
import { MemorySessionRegistry } from '../../src/sessions/memory-session-registry';
import type { SessionView } from '../../src/sessions/session-service';
import type { CookieApp } from '../helpers/cookie-app';
import { cookieApp } from '../helpers/cookie-app';
import { FrozenClock } from '../helpers/frozen-clock';
import { rawRequest } from '../helpers/raw-http-client';

/**
 * Attack review of the session routes (issue 15) over HTTP: probing ids, odd paths, what a
 * client can put in the list (user agent, address), what the audit trail holds.
 * Each guards a finding of that review, or locks in what it verified.
 */

interface Pair {
  access_token: string;
  refresh_token: string;
}

describe('session routes: ids, odd paths and what a client puts in the list', () => {
  let app: CookieApp;
  let registry: MemorySessionRegistry;

  beforeEach(async () => {
    const clock = new FrozenClock(Date.now());
    registry = new MemorySessionRegistry(clock);
    app = await cookieApp({
      clock,
      env: { LOGIN_MAX_ATTEMPTS: '1000' },
      revocationStore: new MemoryRevocationStore(clock),
      extra: { sessionRegistry: registry },
    });
  });

  const bearer = (pair: Pair) => ({ Authorization: `Bearer ${pair.access_token}` });
  const login = async (
    device = 'Device',
    username = 'user@example.com',
    password = 'user-password',
  ): Promise<Pair> => {
    const answer = await app
      .http()
      .post('/auth/login')
      .set('User-Agent', device)
      .send({ username, password })
      .expect(200);
    app.clock.advanceSeconds(1);
    return answer.body as Pair;
  };
  const list = async (pair: Pair): Promise<SessionView[]> =>
    (await app.http().get('/auth/sessions').set(bearer(pair)).expect(200)).body as SessionView[];
  const works = async (pair: Pair) =>
    (await app.http().get('/things/mine').set(bearer(pair))).status === 200;
  const refreshes = async (pair: Pair) =>
    (await app.http().post('/auth/refresh').send({ refresh_token: pair.refresh_token })).status ===
    200;

  /** What a client can compare between two answers: everything but the date. */
  const visible = (response: Response) => {
    const headers = { ...response.headers } as Record<string, unknown>;
    delete headers['date'];
    return { status: response.status, headers, body: response.text };
  };

  describe('ids cannot be probed', () => {
    it('another user’s id, an unknown id, a malformed one, my own id in capitals, a long one: the same status, headers and body', async () => {
      const mine = await login('Mine');
      const other = await login('Theirs', 'other@example.com', 'other-password');
      const [theirs] = await list(other);
      const [own] = await list(mine);
      const ids = {
        foreign: theirs?.id ?? '',
        unknown: '00000000-0000-4000-8000-000000000000',
        malformed: 'not-a-session',
        capitals: (own?.id ?? '').toUpperCase(),
        long: 'a'.repeat(2000),
        encodedSlash: encodeURIComponent(`${theirs?.id ?? ''}/x`),
      };
      const answers: Record<string, ReturnType<typeof visible>> = {};
      for (const [name, id] of Object.entries(ids)) {
        answers[name] = visible(await app.http().delete(`/auth/sessions/${id}`).set(bearer(mine)));
      }
      for (const [name, answer] of Object.entries(answers)) {
        expect(answer, name).to.deep.equal(answers['unknown']);
      }
      expect(answers['unknown']?.status).to.equal(404);
      expect(await works(other)).to.equal(true);
      expect(await works(mine)).to.equal(true);
      expect(app.events.filter((e) => e.type === 'session_ended')).to.deep.equal([]);
    });

    it('DELETE /auth/sessions/ (an id left empty by a client bug) does not end every other session', async () => {
      const mine = await login('Mine');
      const laptop = await login('Laptop');
      const id = ''; // e.g. `${session?.id ?? ''}` in a client
      const answer = await app.http().delete(`/auth/sessions/${id}`).set(bearer(mine));
      // Today: the trailing slash matches DELETE /auth/sessions (end all others): 204, and the
      // laptop is logged out. An empty id is no session of the caller: 404, as any other.
      expect([answer.status, await works(laptop)]).to.deep.equal([404, true]);
    });

    it('ending my current session by id is a logout of it alone (bearer): 204, its tokens refused, my other session lives', async () => {
      const phone = await login('Phone');
      const laptop = await login('Laptop');
      const current = (await list(phone)).find((s) => s.current);
      await app
        .http()
        .delete(`/auth/sessions/${current?.id ?? ''}`)
        .set(bearer(phone))
        .expect(204);
      expect([await works(phone), await refreshes(phone)]).to.deep.equal([false, false]);
      expect([await works(laptop), await refreshes(laptop)]).to.deep.equal([true, true]);
    });

    it('the routes need authentication: no token, a refresh token as bearer, a garbage token are 401 and change nothing', async () => {
      const mine = await login('Mine');
      const other = await login('Other');
      const [target] = await list(other);
      for (const auth of [undefined, `Bearer ${other.refresh_token}`, 'Bearer x.y.z']) {
        for (const request of [
          app.http().get('/auth/sessions'),
          app.http().delete(`/auth/sessions/${target?.id ?? ''}`),
          app.http().delete('/auth/sessions'),
        ]) {
          const answer = await (auth === undefined ? request : request.set('Authorization', auth));
          expect(answer.status, String(auth)).to.equal(401);
        }
      }
      expect([await works(mine), await works(other)]).to.deep.equal([true, true]);
    });
  });

  describe('what a client puts in the list', () => {
    let server: Server;
    afterEach(() => server?.close());

    it('a huge user agent is cut to 256; control characters (tab, C1 bytes) never reach the JSON list; the list stays valid JSON', async () => {
      server = app.app.listen(0);
      const port = (server.address() as AddressInfo).port;
      const body = JSON.stringify({ username: 'user@example.com', password: 'user-password' });
      // Raw bytes, as a hostile client sends them (Node refuses DEL and other C0 bytes with a 400): HTAB, latin-1 C1 controls, the UTF-8
      // bytes of U+202E (RIGHT-TO-LEFT OVERRIDE) and of an emoji, and 9000 more characters.
      const agent = Buffer.concat([
        Buffer.from('Evil\tAgent ', 'latin1'),
        Buffer.from([0x85, 0x9b]),
        Buffer.from('\u202e gnp.exe \u{1F600} ', 'utf8'),
        Buffer.from('A'.repeat(9000), 'latin1'),
      ]);
      const head = Buffer.from(
        'POST /auth/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n' +
          `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nUser-Agent: `,
        'latin1',
      );
      const answer = await rawRequest(
        port,
        Buffer.concat([head, agent, Buffer.from(`\r\n\r\n${body}`, 'latin1')]).toString('latin1'),
      );
      expect(answer.status).to.equal(200);
      const pair = JSON.parse(answer.body) as Pair;
      const response = await app.http().get('/auth/sessions').set(bearer(pair)).expect(200);
      const [session] = response.body as SessionView[];
      const userAgent = session?.user_agent ?? '';
      expect(userAgent.length).to.be.at.most(256);
      expect(userAgent.startsWith('EvilAgent ')).to.equal(true);
      // eslint-disable-next-line no-control-regex
      expect(userAgent).not.to.match(/[\u0000-\u001f\u007f-\u009f]/);
      expect(userAgent).not.to.include('\u202e');
      expect(() => JSON.parse(response.text) as unknown).not.to.throw();
    });

    it('behind a proxy, a forged X-Forwarded-For of any length is kept as at most 64 characters', async () => {
      app.app.proxy = true;
      const forged = `${'9'.repeat(500)}, 203.0.113.7`;
      const answer = await app
        .http()
        .post('/auth/login')
        .set('X-Forwarded-For', forged)
        .send({ username: 'user@example.com', password: 'user-password' })
        .expect(200);
      const [session] = await list(answer.body as Pair);
      expect((session?.address ?? '').length).to.be.at.most(64);
    });
  });

  it('audit events of the sessions hold ids, never a token nor a token hash', async () => {
    const a = await login('A');
    const b = await login('B');
    const c = await login('C');
    const [, target] = await list(a);
    await app
      .http()
      .delete(`/auth/sessions/${target?.id ?? ''}`)
      .set(bearer(a))
      .expect(204);
    await app.http().delete('/auth/sessions').set(bearer(a)).expect(204);
    const text = JSON.stringify(app.events);
    expect(app.events.filter((e) => e.type === 'session_ended')).to.have.length(2);
    for (const pair of [a, b, c]) {
      for (const part of [...pair.access_token.split('.'), ...pair.refresh_token.split('.')]) {
        expect(text).not.to.include(part);
      }
    }
  });
});
