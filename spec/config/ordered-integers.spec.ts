import { expect } from 'chai';
import type { Environment } from '../../src/config/env-reader';
import { EnvReader } from '../../src/config/env-reader';
import { readOrderedIntegers } from '../../src/config/ordered-integers';
import { configurationErrorOf } from '../helpers/configuration-error';

const RANGE = { min: 1, max: 50 };

/** LOW ≤ HIGH; LOW defaults to 5, HIGH to 20 (or, with `'none'`, to LOW). */
function read(
  env: Environment,
  codeDefaults: { LOW?: number; HIGH?: number } = {},
  highFallback: number | 'none' = 20,
): { lower: number; upper: number } {
  return readOrderedIntegers(
    new EnvReader(env),
    { name: 'LOW', range: RANGE, codeDefault: codeDefaults.LOW, fallback: 5 },
    highFallback === 'none'
      ? { name: 'HIGH', range: RANGE, codeDefault: codeDefaults.HIGH }
      : { name: 'HIGH', range: RANGE, codeDefault: codeDefaults.HIGH, fallback: highFallback },
  );
}

describe('readOrderedIntegers', () => {
  it('gives the fallbacks when neither is set', () => {
    expect(read({})).to.deep.equal({ lower: 5, upper: 20 });
    expect(read({}, {}, 'none')).to.deep.equal({ lower: 5, upper: 5 });
  });

  it('moves the upper default up to a lower value set above it', () => {
    expect(read({ LOW: '30' })).to.deep.equal({ lower: 30, upper: 30 });
    expect(read({ LOW: '10' })).to.deep.equal({ lower: 10, upper: 20 });
    expect(read({ LOW: '10' }, {}, 'none')).to.deep.equal({ lower: 10, upper: 10 });
  });

  it('moves the lower default down to an upper value set below it', () => {
    expect(read({ HIGH: '3' })).to.deep.equal({ lower: 3, upper: 3 });
    expect(read({ HIGH: '40' })).to.deep.equal({ lower: 5, upper: 40 });
  });

  it('treats a code default as set, and lets the environment win over it', () => {
    expect(read({}, { LOW: 30 })).to.deep.equal({ lower: 30, upper: 30 });
    expect(read({ LOW: '2' }, { LOW: 30, HIGH: 4 })).to.deep.equal({ lower: 2, upper: 4 });
  });

  it('refuses two values set out of order, naming the upper one', () => {
    const error = configurationErrorOf(() => read({ LOW: '10', HIGH: '9' }));
    expect(error.variable).to.equal('HIGH');
    expect(error.message).to.equal('HIGH must be an integer from 10 to 50');
    expect(configurationErrorOf(() => read({ LOW: '10' }, { HIGH: 9 })).variable).to.equal('HIGH');
  });

  it('checks each value set against its own range', () => {
    expect(configurationErrorOf(() => read({ LOW: '0' })).message).to.equal(
      'LOW must be an integer from 1 to 50',
    );
    expect(configurationErrorOf(() => read({ HIGH: '51' })).message).to.equal(
      'HIGH must be an integer from 1 to 50',
    );
    expect(configurationErrorOf(() => read({}, { LOW: 0 })).variable).to.equal('LOW');
  });
});
