import bcrypt from 'bcrypt';
import { expect } from 'chai';
import { PasswordPolicyError } from '../../src/errors/security-errors';
import type { PasswordHasher } from '../../src/password/password-hasher';
import { spyOnBcryptCompare } from '../helpers/bcrypt-spy';
import { createSecurityFixture } from '../helpers/security-fixture';

describe('PasswordHasher', () => {
  let hasher: PasswordHasher;

  before(() => {
    hasher = createSecurityFixture({ BCRYPT_ROUNDS: '5' }).hasher;
  });

  it('hashes with the configured cost, a fresh salt each time, and verifies', async () => {
    const first = await hasher.getPasswordHash('correct horse');
    const second = await hasher.getPasswordHash('correct horse');
    expect(first).to.match(/^\$2b\$05\$/);
    expect(first).not.to.equal(second);
    expect(await hasher.verifyPassword('correct horse', first)).to.equal(true);
    expect(await hasher.verifyPassword('correct horsf', first)).to.equal(false);
  });

  it('F2 a password of 72 bytes plus more never matches its first 72 bytes', async () => {
    const base = 'a'.repeat(72);
    const hash = await hasher.getPasswordHash(base);
    expect(await hasher.verifyPassword(`${base}x`, hash)).to.equal(false);
    const longHash = await hasher.getPasswordHash(`${base}x`);
    expect(await hasher.verifyPassword(`${base}x`, longHash)).to.equal(true);
    expect(await hasher.verifyPassword(`${base}y`, longHash)).to.equal(false);
    expect(await hasher.verifyPassword(base, longHash)).to.equal(false);
  });

  it('F2 the raw bcrypt package would have truncated (the defect this guards against)', async () => {
    const hash = await bcrypt.hash('a'.repeat(72), 4);
    expect(await bcrypt.compare(`${'a'.repeat(72)}anything`, hash)).to.equal(true);
  });

  it('F3 NFC and NFD forms are the same password', async () => {
    const hash = await hasher.getPasswordHash('Ame\u0301lie-2026');
    expect(await hasher.verifyPassword('Am\u00e9lie-2026', hash)).to.equal(true);
  });

  it('F4/F6 refuses non-strings, short and huge passwords before bcrypt runs', async () => {
    const spy = spyOnBcryptCompare();
    try {
      for (const password of [12345678, null, 'short', 'x'.repeat(2_000_000)]) {
        const error: unknown = await hasher
          .getPasswordHash(password as string)
          .catch((e: unknown) => e);
        expect(error).to.be.instanceOf(PasswordPolicyError);
      }
      const hash = await hasher.getPasswordHash('long enough');
      expect(await hasher.verifyPassword('x'.repeat(2_000_000), hash)).to.equal(false);
      expect(await hasher.verifyPassword({ $ne: null } as unknown as string, hash)).to.equal(false);
      expect(await hasher.verifyPassword('', hash)).to.equal(false);
      expect(spy.calls).to.have.length(0);
    } finally {
      spy.restore();
    }
  });

  it('verifies $2a$ and $2y$ hashes written by other tools', async () => {
    const hash2b = await bcrypt.hash('legacy-password', 4);
    const body = hash2b.slice(4);
    expect(await hasher.verifyPassword('legacy-password', `$2a$${body}`)).to.equal(true);
    expect(await hasher.verifyPassword('legacy-password', `$2y$${body}`)).to.equal(true);
    expect(await hasher.verifyPassword('wrong-password', `$2y$${body}`)).to.equal(false);
  });

  describe('F5/G2 a missing or corrupt hash', () => {
    let spy: ReturnType<typeof spyOnBcryptCompare>;
    beforeEach(() => (spy = spyOnBcryptCompare()));
    afterEach(() => spy.restore());

    for (const hash of [null, undefined, '', '$2b$10$corrupt', 'plaintext']) {
      it(`${JSON.stringify(hash)} gives false after one compare at the configured cost`, async () => {
        expect(await hasher.verifyPassword('any-password', hash)).to.equal(false);
        expect(spy.calls).to.have.length(1);
        expect(spy.calls[0]?.hash).to.match(/^\$2b\$05\$/);
      });
    }
  });

  describe('needsRehash', () => {
    it('is true below the configured cost and for unreadable hashes only', async () => {
      expect(hasher.needsRehash(await bcrypt.hash('p', 4))).to.equal(true);
      expect(hasher.needsRehash(await bcrypt.hash('p', 5))).to.equal(false);
      expect(hasher.needsRehash(await bcrypt.hash('p', 6))).to.equal(false);
      expect(hasher.needsRehash('not a hash')).to.equal(true);
    });
  });
});
