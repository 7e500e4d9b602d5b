import { expect } from 'chai';
import { PasswordPolicyError } from '../../src/errors/security-errors';
import {
  bcryptInput,
  checkNewPassword,
  normalizeOfferedPassword,
} from '../../src/password/password-policy';

function policyReason(password: unknown): string {
  try {
    checkNewPassword(password);
  } catch (error) {
    expect(error).to.be.instanceOf(PasswordPolicyError);
    return (error as PasswordPolicyError).reason;
  }
  return 'accepted';
}

describe('password policy', () => {
  it('F6 needs at least 8 code points and accepts 64 characters and more', () => {
    expect(policyReason('')).to.equal('too_short');
    expect(policyReason('1234567')).to.equal('too_short');
    expect(policyReason('12345678')).to.equal('accepted');
    expect(policyReason('p'.repeat(64))).to.equal('accepted');
    expect(policyReason('密'.repeat(64))).to.equal('accepted');
    expect(policyReason('x'.repeat(1024))).to.equal('accepted');
  });

  it('counts an emoji as one character, not two UTF-16 units', () => {
    expect(policyReason('😀'.repeat(7))).to.equal('too_short');
  });

  it('F4 refuses a huge password before normalising it, and non-strings', () => {
    expect(policyReason('x'.repeat(1025))).to.equal('too_long');
    expect(policyReason('x'.repeat(5_000_000))).to.equal('too_long');
    for (const value of [undefined, null, 12345678, ['password1'], { $ne: null }]) {
      expect(policyReason(value)).to.equal('not_a_string');
    }
  });

  it('F3 normalises to NFC', () => {
    const nfd = 'cafe\u0301-password';
    expect(checkNewPassword(nfd)).to.equal('caf\u00e9-password');
    expect(normalizeOfferedPassword(nfd)).to.equal('caf\u00e9-password');
  });

  it('offers nothing to compare for empty, oversized or non-string login input', () => {
    expect(normalizeOfferedPassword('')).to.equal(undefined);
    expect(normalizeOfferedPassword('x'.repeat(1025))).to.equal(undefined);
    expect(normalizeOfferedPassword(42)).to.equal(undefined);
    expect(normalizeOfferedPassword('short')).to.equal('short');
  });

  it('F2 passes up to 72 bytes to bcrypt unchanged and pre-hashes longer input', () => {
    const exactly72 = 'a'.repeat(72);
    expect(bcryptInput(exactly72)).to.equal(exactly72);
    const longer = bcryptInput(`${exactly72}x`);
    expect(longer).to.have.length(44);
    expect(longer).not.to.equal(bcryptInput(`${exactly72}y`));
    expect(longer).to.match(/^[A-Za-z0-9+/]+=*$/);
    // 25 three-byte characters = 75 bytes: pre-hashed although only 25 characters.
    expect(bcryptInput('密'.repeat(25))).to.have.length(44);
    expect(bcryptInput('密'.repeat(24))).to.equal('密'.repeat(24));
  });
});
