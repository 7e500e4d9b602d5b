import type { IncomingMessage } from 'node:http';
import { expect } from 'chai';
import { InvalidRequestError } from '../../src/errors/security-errors';
import { readBearerToken } from '../../src/koa/bearer-token';
import { authorizationRequest } from '../helpers/authorization-request';

const request = (...values: string[]) => authorizationRequest(values);

function reason(...values: string[]): string {
  try {
    readBearerToken(request(...values));
  } catch (error) {
    expect(error).to.be.instanceOf(InvalidRequestError);
    return (error as InvalidRequestError).reason;
  }
  return 'accepted';
}

describe('readBearerToken (catalogue E)', () => {
  it('reads the token of a Bearer header', () => {
    expect(readBearerToken(request('Bearer abc.def.ghi'))).to.equal('abc.def.ghi');
  });

  it('E3 the scheme is case-insensitive', () => {
    for (const scheme of ['bearer', 'BEARER', 'BeArEr']) {
      expect(readBearerToken(request(`${scheme} abc.def.ghi`))).to.equal('abc.def.ghi');
    }
  });

  it('E1 no header, an empty one, or another scheme is no credentials', () => {
    expect(readBearerToken(request())).to.equal(undefined);
    expect(readBearerToken(request(''))).to.equal(undefined);
    expect(readBearerToken(request('Basic dXNlcjpwYXNz'))).to.equal(undefined);
    expect(readBearerToken(request('Bearerabc.def.ghi'))).to.equal(undefined);
  });

  it('E2 Bearer with no token, two tokens or characters outside b64token is invalid', () => {
    expect(reason('Bearer')).to.equal('missing_token');
    expect(reason('Bearer    ')).to.equal('missing_token');
    expect(reason('Bearer a b')).to.equal('malformed_token');
    expect(reason('Bearer a,b')).to.equal('malformed_token');
    expect(reason('Bearer {"alg":"none"}')).to.equal('malformed_token');
    expect(reason('Bearer tok=en')).to.equal('malformed_token');
  });

  it('accepts b64token padding and its whole alphabet', () => {
    expect(readBearerToken(request('Bearer aZ09-._~+/=='))).to.equal('aZ09-._~+/==');
  });

  it('E4 two Authorization headers are refused', () => {
    expect(reason('Bearer a.b.c', 'Bearer d.e.f')).to.equal('duplicate_authorization');
    expect(reason('Bearer a.b.c', '')).to.equal('duplicate_authorization');
  });

  it('finds the header in any case of its name, and only that header', () => {
    const cases = ['authorization', 'AUTHORIZATION', 'Authorization'];
    for (const name of cases) {
      const only = {
        rawHeaders: ['Host', 'h', name, 'Bearer a.b.c'],
      } as unknown as IncomingMessage;
      expect(readBearerToken(only)).to.equal('a.b.c');
    }
    const lookalike = {
      rawHeaders: ['Authorizatio', 'Bearer a.b.c', 'X-Authorization', 'Bearer d.e.f'],
    } as unknown as IncomingMessage;
    expect(readBearerToken(lookalike)).to.equal(undefined);
  });
});
