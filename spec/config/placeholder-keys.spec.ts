import { expect } from 'chai';
import { isPlaceholderKey } from '../../src/config/placeholder-keys';
import { TEST_SECRET_KEY } from '../helpers/test-environment';

/** Keys made by `openssl rand -base64 48` and `openssl rand -hex 32`. */
const RANDOM_KEYS = [
  TEST_SECRET_KEY,
  'gWrlg1vGzptVGCCkvnsOEVUm2eTe2GEHLeVSd2jX6g0hEBTp05y/XBizkWIe3lN2',
  'f0be4c3c485aecf445b6d417aefd754b2620417ee82755541167fffaad654b29',
];

describe('isPlaceholderKey', () => {
  for (const key of [
    'secret',
    ' Secret ',
    'your-256-bit-secret',
    'please-change-me-in-prod',
    'xxxxxxxxxxxxxxxx',
  ]) {
    it(`knows ${JSON.stringify(key)}`, () => expect(isPlaceholderKey(key)).to.equal(true));
  }

  // Every key below passes the 32-byte check that runs first: the placeholder check must
  // still know it.
  for (const [why, key] of [
    ['a well-known secret padded to length', 'secret'.padEnd(32, '0')],
    ['a well-known secret padded with blanks', `secret${' '.repeat(26)}`],
    ['a well-known secret repeated', 'secretsecretsecretsecretsecretsecret'],
    ['the seed README key repeated', 'your-secret-key-here'.repeat(2)],
    ['"password" repeated', 'password'.repeat(4)],
    ['"test" repeated', 'test'.repeat(8)],
    ['a short string repeated, the last copy cut short', 'abc123!'.repeat(5).slice(0, 33)],
    ['one character repeated', 'a'.repeat(64)],
    ['a "changethis" key', 'changethis-before-going-to-production'],
    ['a "development" key', 'development-key-of-the-payments-app'],
    ['a "changeme" prefix in capitals', 'CHANGEME_0123456789abcdef0123456789'],
    ["jwt.io's default secret", 'a-string-secret-at-least-256-bits-long'],
    ['a placeholder with underscores', 'your_secret_key_here_at_least_32_characters'],
    ['a placeholder in capitals', 'YOUR_JWT_SECRET_KEY_AT_LEAST_32_CHARS_LONG'],
    ['a placeholder with spaces', 'your secret key here, at least 32 bytes long'],
    // Second review: the same placeholders with no separator at all.
    ['a placeholder without separators', 'yoursecretkeyhereatleast32characters'],
    ["jwt.io's default without separators", 'astringsecretatleast256bitslong0000'],
    ['a bit-secret fragment without separators', 'my-app-your256bitsecret-0123456789'],
    ['a changeme fragment inside, without separators', 'prod0123changeme456789abcdefghijkl'],
    ['a replace-me fragment without separators', 'REPLACEME0123456789abcdefghijklmnop'],
  ] as const) {
    it(`knows ${why}`, () => {
      expect(Buffer.byteLength(key)).to.be.at.least(32);
      expect(isPlaceholderKey(key)).to.equal(true);
    });
  }

  it('does not flag random keys', () => {
    for (const key of RANDOM_KEYS) expect(isPlaceholderKey(key), key).to.equal(false);
  });

  it('does not flag a long passphrase that merely contains a word from the list', () => {
    expect(isPlaceholderKey('ochre tundra kettle: my secret pass, 1987 ravens')).to.equal(false);
  });
});
