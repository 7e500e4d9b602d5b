import { expect } from 'chai';
import { isPlaceholderKey } from '../../src/config/placeholder-keys';
import { TEST_SECRET_KEY } from '../helpers/test-environment';

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

  it('does not flag a random key', () => {
    expect(isPlaceholderKey(TEST_SECRET_KEY)).to.equal(false);
  });
});
