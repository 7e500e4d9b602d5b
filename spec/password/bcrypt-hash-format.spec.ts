import { expect } from 'chai';
import { parseBcryptHash } from '../../src/password/bcrypt-hash-format';

const BODY = 'MhGMrOeGVBvVEQbfzBkl9ej7NRtMTHA6ypbHK8AOIeA71D/huNfRS';

describe('parseBcryptHash', () => {
  it('reads the variant and cost of $2a$, $2b$ and $2y$ hashes', () => {
    expect(parseBcryptHash(`$2a$10$${BODY}`)).to.deep.equal({
      variant: 'a',
      cost: 10,
      comparable: `$2a$10$${BODY}`,
    });
    expect(parseBcryptHash(`$2b$12$${BODY}`)?.cost).to.equal(12);
  });

  it('rewrites $2y$ to $2b$, which native bcrypt compares', () => {
    expect(parseBcryptHash(`$2y$04$${BODY}`)?.comparable).to.equal(`$2b$04$${BODY}`);
  });

  for (const hash of [
    null,
    undefined,
    '',
    42,
    `$2x$10$${BODY}`,
    `$2b$03$${BODY}`,
    `$2b$32$${BODY}`,
    `$2b$10$${BODY.slice(1)}`,
    `$2b$10$${BODY}!`,
    `$argon2id$v=19$m=65536,t=3,p=4$${BODY}`,
    'plaintext-password',
  ]) {
    it(`refuses ${JSON.stringify(hash)?.slice(0, 24)}`, () => {
      expect(parseBcryptHash(hash)).to.equal(undefined);
    });
  }
});
