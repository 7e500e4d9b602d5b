import { expect } from 'chai';
import { systemClock } from '../../src/clock/clock';

describe('systemClock', () => {
  it('reads the wall clock in milliseconds', () => {
    const before = Date.now();
    const now = systemClock.now();
    expect(now).to.be.within(before, Date.now());
  });
});
