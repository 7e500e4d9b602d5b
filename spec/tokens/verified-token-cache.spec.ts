import { expect } from 'chai';
import { VerifiedTokenCache } from '../../src/tokens/verified-token-cache';
import type { TokenClaims } from '../../src/tokens/token-claims';

const claims = (jti: string) => ({ jti }) as unknown as TokenClaims;

function fill(cache: VerifiedTokenCache, tokens: string[]): void {
  for (const token of tokens) cache.set(cache.key(token), claims(token));
}

describe('VerifiedTokenCache', () => {
  it('finds claims by token, keeping a digest of it, not the token', () => {
    const cache = new VerifiedTokenCache();
    fill(cache, ['aaa.bbb.ccc']);
    expect(cache.get(cache.key('aaa.bbb.ccc'))?.jti).to.equal('aaa.bbb.ccc');
    expect(cache.get(cache.key('aaa.bbb.ccd'))).to.equal(undefined);
    const young = (cache as unknown as { young: Map<string, unknown> }).young;
    expect([...young.keys()]).to.have.length(1);
    expect([...young.keys()][0]).not.to.contain('aaa');
  });

  it('never holds more than its capacity, dropping the oldest generation', () => {
    const cache = new VerifiedTokenCache(4);
    const tokens = Array.from({ length: 11 }, (_, i) => `t${i}`);
    for (const token of tokens) {
      fill(cache, [token]);
      expect(cache.size).to.be.at.most(4);
    }
    expect(cache.get(cache.key('t0'))).to.equal(undefined);
    expect(cache.get(cache.key('t10'))?.jti).to.equal('t10');
  });

  it('keeps an entry that is in use: a hit in the old generation moves it to the young one', () => {
    const cache = new VerifiedTokenCache(4);
    fill(cache, ['hot', 'a']);
    fill(cache, ['b', 'c']); // 'hot' and 'a' are now the old generation
    expect(cache.get(cache.key('hot'))?.jti).to.equal('hot');
    fill(cache, ['d', 'e', 'f']);
    expect(cache.get(cache.key('hot'))?.jti).to.equal('hot');
    expect(cache.get(cache.key('a'))).to.equal(undefined);
  });

  it('holds nothing with a capacity of 0, and refuses a capacity that is not a count', () => {
    const cache = new VerifiedTokenCache(0);
    fill(cache, ['t1']);
    expect(cache.get(cache.key('t1'))).to.equal(undefined);
    expect(cache.size).to.equal(0);
    expect(() => new VerifiedTokenCache(-1)).to.throw(TypeError);
    expect(() => new VerifiedTokenCache(1.5)).to.throw(TypeError);
  });
});
