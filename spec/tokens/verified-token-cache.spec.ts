import { expect } from 'chai';
import { VerifiedTokenCache } from '../../src/tokens/verified-token-cache';
import type { TokenClaims } from '../../src/tokens/token-claims';

const claims = (jti: string) => ({ jti }) as unknown as TokenClaims;

describe('VerifiedTokenCache', () => {
  it('finds claims by token, keeping a digest of it, not the token', () => {
    const cache = new VerifiedTokenCache();
    cache.set(cache.key('aaa.bbb.ccc'), claims('1'));
    expect(cache.get(cache.key('aaa.bbb.ccc'))?.jti).to.equal('1');
    expect(cache.get(cache.key('aaa.bbb.ccd'))).to.equal(undefined);
    const keys = [...(cache as unknown as { entries: Map<string, unknown> }).entries.keys()];
    expect(keys).to.have.length(1);
    expect(keys[0]).not.to.contain('aaa');
  });

  it('stays within its capacity, dropping the oldest entry', () => {
    const cache = new VerifiedTokenCache(3);
    for (const token of ['t1', 't2', 't3', 't4']) cache.set(cache.key(token), claims(token));
    expect(cache.size).to.equal(3);
    expect(cache.get(cache.key('t1'))).to.equal(undefined);
    expect(cache.get(cache.key('t4'))?.jti).to.equal('t4');
  });
});
