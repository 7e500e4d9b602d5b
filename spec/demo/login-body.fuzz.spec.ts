import { expect } from 'chai';
import fc from 'fast-check';
import { demoHarness } from '../helpers/demo-harness';
import type { DemoHarness } from '../helpers/demo-harness';
import { fuzzRuns } from '../helpers/fuzz-runs';

/** Statuses a login may answer; anything else (a 5xx above all) is a defect. */
const LOGIN_ANSWERS = [200, 400, 401, 413, 415, 429];

describe('demo login body under fuzzing', () => {
  let h: DemoHarness;
  before(
    async () =>
      (h = await demoHarness({
        LOGIN_MAX_ATTEMPTS: '1000',
        LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '100000',
      })),
  );
  after(async () => h.close());

  const field = fc.oneof(
    fc.string(),
    fc.jsonValue(),
    fc.constantFrom('user@example.com', 'user-password', '', '__proto__', 'constructor'),
  );

  it('answers any JSON body with a 4xx or a 200, never a 5xx or an escaped exception', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record({ username: field, password: field, grant_type: field }, { requiredKeys: [] }),
          fc.jsonValue(),
          fc.dictionary(fc.string(), field),
        ),
        async (body) => {
          const response = await h
            .http()
            .post('/auth/login')
            .set('Content-Type', 'application/json')
            .send(JSON.stringify(body));
          expect(LOGIN_ANSWERS, JSON.stringify(body)).to.include(response.status);
        },
      ),
      { numRuns: fuzzRuns(200) },
    );
    expect(h.logs.join('\n')).not.to.contain('server_error');
  });

  it('answers any raw body, content type and encoding with a 4xx or a 200', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.constantFrom(
          'application/json',
          'application/x-www-form-urlencoded',
          'text/plain',
          'application/json; charset=latin1',
          'multipart/form-data',
        ),
        fc.constantFrom(undefined, 'gzip', 'deflate', 'br', 'identity'),
        async (raw, type, encoding) => {
          let call = h.http().post('/auth/login').set('Content-Type', type);
          if (encoding) call = call.set('Content-Encoding', encoding);
          const response = await call.send(Buffer.from(raw, 'latin1'));
          expect(LOGIN_ANSWERS, `${type} ${encoding}`).to.include(response.status);
        },
      ),
      { numRuns: fuzzRuns(200) },
    );
    expect(h.logs.join('\n')).not.to.contain('server_error');
  });
});
