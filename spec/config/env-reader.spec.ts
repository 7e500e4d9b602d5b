import { expect } from 'chai';
import { EnvReader, checkIntegerRange } from '../../src/config/env-reader';
import { ConfigurationError } from '../../src/errors/security-errors';

describe('EnvReader', () => {
  const range = { min: 1, max: 100 };

  it('parses decimal integers, trimmed', () => {
    expect(new EnvReader({ N: ' 42 ' }).integer('N', 7, range)).to.equal(42);
    expect(new EnvReader({ N: '+5' }).integer('N', 7, range)).to.equal(5);
  });

  it('uses the fallback when unset or blank', () => {
    expect(new EnvReader({}).integer('N', 7, range)).to.equal(7);
    expect(new EnvReader({ N: '  ' }).integer('N', 7, range)).to.equal(7);
  });

  for (const raw of ['4.0', '1e1', '0x1', '12abc', 'Infinity', '', '- 3']) {
    it(`refuses ${JSON.stringify(raw)} unless blank`, () => {
      const read = () => new EnvReader({ N: raw }).integer('N', 7, range);
      if (raw === '') expect(read()).to.equal(7);
      else expect(read).to.throw(ConfigurationError, 'N must be an integer from 1 to 100');
    });
  }

  it('reads an optional integer: undefined when unset or blank, checked when set', () => {
    expect(new EnvReader({}).optionalInteger('N', range)).to.equal(undefined);
    expect(new EnvReader({ N: ' ' }).optionalInteger('N', range)).to.equal(undefined);
    expect(new EnvReader({ N: '42' }).optionalInteger('N', range)).to.equal(42);
    expect(() => new EnvReader({ N: '101' }).optionalInteger('N', range)).to.throw(
      ConfigurationError,
      'N must be an integer from 1 to 100',
    );
  });

  it('keeps a secret untrimmed and treats empty as unset', () => {
    const read = new EnvReader({ KEY: ' secret ', EMPTY: '' });
    expect(read.rawString('KEY')).to.equal(' secret ');
    expect(read.rawString('EMPTY')).to.equal(undefined);
    expect(read.optionalString('KEY')).to.equal('secret');
  });

  it('checks ranges of values set in code', () => {
    expect(() => checkIntegerRange('X', Number.NaN, range)).to.throw(ConfigurationError);
    expect(() => checkIntegerRange('X', 101, range)).to.throw(ConfigurationError);
    expect(checkIntegerRange('X', 100, range)).to.equal(100);
  });
});
