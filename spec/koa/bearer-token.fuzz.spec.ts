import { expect } from 'chai';
import fc from 'fast-check';
import { InvalidRequestError } from '../../src/errors/security-errors';
import { readBearerToken } from '../../src/koa/bearer-token';
import { authorizationRequest } from '../helpers/authorization-request';
import { fuzzRuns } from '../helpers/fuzz-runs';

const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** A header value close to the real thing: a scheme in some case, spaces, a token-ish tail. */
const headerValue = fc.oneof(
  fc.string(),
  fc
    .tuple(
      fc.constantFrom('Bearer', 'bearer', 'BEARER', 'Basic', 'Bearer\t', 'Token', ''),
      fc.stringMatching(/^ {0,3}$/),
      fc.oneof(fc.string(), fc.stringMatching(/^[A-Za-z0-9\-._~+/]{1,40}={0,2}$/)),
    )
    .map(([scheme, space, tail]) => `${scheme}${space}${tail}`),
);

describe('readBearerToken under fuzzing', () => {
  it('returns a b64token or nothing, or throws InvalidRequestError: never another exception', () => {
    fc.assert(
      fc.property(fc.array(headerValue, { maxLength: 3 }), (values) => {
        let token: string | undefined;
        try {
          token = readBearerToken(authorizationRequest(values));
        } catch (error) {
          expect(error).to.be.instanceOf(InvalidRequestError);
          return;
        }
        if (token !== undefined) {
          expect(values).to.have.length(1);
          expect(token).to.match(B64TOKEN);
          expect(values[0]?.trim().toLowerCase().startsWith('bearer ')).to.equal(true);
        }
      }),
      { numRuns: fuzzRuns(2000) },
    );
  });
});
