import { expect } from 'chai';
import { AuditTrail } from '../../src/audit/audit-trail';
import type { SecurityEvent } from '../../src/audit/security-event';
import { FrozenClock } from '../helpers/frozen-clock';

describe('AuditTrail', () => {
  it("stamps events with the clock's time and hands them to every listener", () => {
    const clock = new FrozenClock();
    const trail = new AuditTrail(clock);
    const seen: SecurityEvent[] = [];
    trail.subscribe((event) => seen.push(event));
    trail.record({ type: 'logout_all', userId: '7', address: '127.0.0.1' });
    expect(seen).to.deep.equal([
      { type: 'logout_all', userId: '7', address: '127.0.0.1', time: new Date(clock.now()) },
    ]);
  });

  it('stops telling a listener that unsubscribed', () => {
    const trail = new AuditTrail(new FrozenClock());
    let count = 0;
    const unsubscribe = trail.subscribe(() => (count += 1));
    trail.record({ type: 'password_changed', userId: '1' });
    unsubscribe();
    trail.record({ type: 'password_changed', userId: '1' });
    expect(count).to.equal(1);
  });

  it('swallows what a listener throws: auditing never breaks the flow', () => {
    const trail = new AuditTrail(new FrozenClock());
    let reached = false;
    trail.subscribe(() => {
      throw new Error('logger down');
    });
    trail.subscribe(() => (reached = true));
    expect(() => trail.record({ type: 'password_changed', userId: '1' })).not.to.throw();
    expect(reached).to.equal(true);
  });
});
