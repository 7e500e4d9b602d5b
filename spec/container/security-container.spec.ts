import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Container } from 'typedi';
import { systemClock } from '../../src/clock/clock';
import { BaseAppSettings } from '../../src/config/base-app-settings';
import {
  REVOCATION_STORE,
  SECURITY_CLOCK,
  SECURITY_SETTINGS,
} from '../../src/container/injection-tokens';
import { configureSecurity, withSecurityDefaults } from '../../src/container/security-container';
import { MemoryRevocationStore } from '../../src/revocation/memory-revocation-store';
import { TokenService } from '../../src/tokens/token-service';
import { FrozenClock } from '../helpers/frozen-clock';
import { testEnvironment } from '../helpers/test-environment';

describe('security container', () => {
  const scoped = () => Container.of(`container-spec-${randomUUID()}`);

  it('registers what it is given and builds services from it', () => {
    const settings = new BaseAppSettings(testEnvironment({ ACCESS_TOKEN_EXPIRE_MINUTES: '5' }));
    const clock = new FrozenClock();
    const container = configureSecurity({ settings, clock }, scoped());
    expect(container.get(SECURITY_SETTINGS)).to.equal(settings);
    expect(container.get(SECURITY_CLOCK)).to.equal(clock);
    expect(container.get(REVOCATION_STORE)).to.be.instanceOf(MemoryRevocationStore);
    const token = container.get(TokenService).createTokenPair({ sub: '1' });
    expect(token.expires_in).to.equal(300);
  });

  it('builds each service once per container', () => {
    const container = configureSecurity(
      { settings: new BaseAppSettings(testEnvironment()) },
      scoped(),
    );
    expect(container.get(TokenService)).to.equal(container.get(TokenService));
  });

  it('keeps containers apart', () => {
    const a = configureSecurity({ settings: new BaseAppSettings(testEnvironment()) }, scoped());
    const b = configureSecurity(
      { settings: new BaseAppSettings(testEnvironment({ ACCESS_TOKEN_EXPIRE_MINUTES: '1' })) },
      scoped(),
    );
    expect(a.get(TokenService)).not.to.equal(b.get(TokenService));
    expect(b.get(TokenService).createTokenPair({ sub: '1' }).expires_in).to.equal(60);
  });

  it('defaults to the wall clock and keeps what is already registered', () => {
    const settings = new BaseAppSettings(testEnvironment());
    const store = new MemoryRevocationStore();
    const container = scoped();
    container.set(SECURITY_SETTINGS, settings);
    container.set(REVOCATION_STORE, store);
    withSecurityDefaults(container);
    expect(container.get(SECURITY_CLOCK)).to.equal(systemClock);
    expect(container.get(REVOCATION_STORE)).to.equal(store);
    expect(container.get(SECURITY_SETTINGS)).to.equal(settings);
  });
});
