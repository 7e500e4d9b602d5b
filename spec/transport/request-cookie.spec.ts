import type { IncomingMessage } from 'node:http';
import { expect } from 'chai';
import { InvalidRequestError } from '../../src/errors/security-errors';
import { readCookie } from '../../src/transport/request-cookie';

const withCookie = (cookie?: string) =>
  ({ headers: cookie === undefined ? {} : { cookie } }) as IncomingMessage;

describe('readCookie', () => {
  it('finds a cookie by its exact name', () => {
    expect(readCookie(withCookie('a=1; __Host-x=v.w.z; b=2'), '__Host-x')).to.equal('v.w.z');
    expect(readCookie(withCookie('x__Host-x=1; __Host-xy=2'), '__Host-x')).to.equal(undefined);
    expect(readCookie(withCookie('__Host-x="quoted"'), '__Host-x')).to.equal('quoted');
    expect(readCookie(withCookie(), '__Host-x')).to.equal(undefined);
    expect(readCookie(withCookie('__Host-x='), '__Host-x')).to.equal(undefined);
  });

  it('refuses a cookie there twice (one planted with another path or domain)', () => {
    expect(() => readCookie(withCookie('__Host-x=1; __Host-x=2'), '__Host-x'))
      .to.throw(InvalidRequestError)
      .with.property('reason', 'duplicate_cookie');
  });

  it('refuses a value longer than a browser keeps', () => {
    expect(() => readCookie(withCookie(`__Host-x=${'a'.repeat(4097)}`), '__Host-x'))
      .to.throw(InvalidRequestError)
      .with.property('reason', 'oversized_cookie');
  });
});
