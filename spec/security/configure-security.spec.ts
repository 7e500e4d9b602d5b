import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Container } from 'typedi';
import { AuditTrail } from '../../src/audit/audit-trail';
import { AccessPolicy } from '../../src/authorization/access-policy';
import { systemClock } from '../../src/clock/clock';
import { BaseAppSettings } from '../../src/config/base-app-settings';
import {
  ACCESS_POLICY,
  REVOCATION_STORE,
  SECURITY_CLOCK,
  SECURITY_SETTINGS,
  USER_AUTHENTICATION,
} from '../../src/container/injection-tokens';
import { ConfigurationError } from '../../src/errors/security-errors';
import { MemoryRevocationStore } from '../../src/revocation/memory-revocation-store';
import { RevocationService } from '../../src/revocation/revocation-service';
import { configureSecurity, securityOf } from '../../src/security/configure-security';
import { TokenService } from '../../src/tokens/token-service';
import { configurationErrorOf } from '../helpers/configuration-error';
import { FrozenClock } from '../helpers/frozen-clock';
import { MemoryUsers } from '../helpers/memory-users';
import { testEnvironment } from '../helpers/test-environment';

describe('configureSecurity (the composition root on a container)', () => {
  const scoped = () => Container.of(`configure-spec-${randomUUID()}`);
  const settingsWith = (minutes: string) =>
    new BaseAppSettings(testEnvironment({ ACCESS_TOKEN_EXPIRE_MINUTES: minutes }));

  it('registers what it is given and builds every service from it', () => {
    const settings = settingsWith('5');
    const clock = new FrozenClock();
    const container = configureSecurity({ settings, clock }, scoped());
    expect(container.get(SECURITY_SETTINGS)).to.equal(settings);
    expect(container.get(SECURITY_CLOCK)).to.equal(clock);
    expect(container.get(REVOCATION_STORE)).to.be.instanceOf(MemoryRevocationStore);
    expect(container.get(USER_AUTHENTICATION)).to.equal(null);
    expect(container.get(TokenService).createTokenPair({ sub: '1' }).expires_in).to.equal(300);
  });

  it('builds each service once per container, and every service shares the same collaborators', () => {
    const container = configureSecurity({ settings: settingsWith('30') }, scoped());
    expect(container.get(TokenService)).to.equal(container.get(TokenService));
    expect(securityOf(container).tokens).to.equal(container.get(TokenService));
    expect(securityOf(container).revocation).to.equal(container.get(RevocationService));
    expect(securityOf(container).audit).to.equal(container.get(AuditTrail));
  });

  it('keeps containers apart', () => {
    const a = configureSecurity({ settings: settingsWith('30') }, scoped());
    const b = configureSecurity({ settings: settingsWith('1') }, scoped());
    expect(a.get(TokenService)).not.to.equal(b.get(TokenService));
    expect(b.get(TokenService).createTokenPair({ sub: '1' }).expires_in).to.equal(60);
  });

  it('fills in the wall clock, the memory store and a flat policy where nothing was given', () => {
    const container = configureSecurity({ settings: settingsWith('30') }, scoped());
    expect(container.get(SECURITY_CLOCK)).to.equal(systemClock);
    expect(container.get(ACCESS_POLICY)).to.be.instanceOf(AccessPolicy);
  });

  describe('order', () => {
    it('merges options split across calls, in either order, until the services are built', () => {
      const settings = settingsWith('7');
      const store = new MemoryRevocationStore();
      for (const calls of [
        [{ settings }, { revocationStore: store }],
        [{ revocationStore: store }, { settings }],
      ]) {
        const container = scoped();
        for (const options of calls) configureSecurity(options, container);
        expect(container.get(REVOCATION_STORE)).to.equal(store);
        expect(container.get(TokenService).createTokenPair({ sub: '1' }).expires_in).to.equal(420);
      }
    });

    it('accepts the same value given twice', () => {
      const settings = settingsWith('7');
      const container = configureSecurity({ settings }, scoped());
      configureSecurity({ settings }, container);
      container.get(TokenService);
      configureSecurity({ settings }, container);
      expect(container.get(SECURITY_SETTINGS)).to.equal(settings);
    });

    it('refuses another value for an option already given, naming the option', () => {
      const container = configureSecurity(
        { revocationStore: new MemoryRevocationStore() },
        scoped(),
      );
      const error = configurationErrorOf(() =>
        configureSecurity({ revocationStore: new MemoryRevocationStore() }, container),
      );
      expect(error.variable).to.equal('revocationStore');
      expect(error.message).to.match(/already configured .* another value/);
    });

    it('refuses a new option once the services are built, instead of ignoring it', () => {
      const container = configureSecurity({ settings: settingsWith('7') }, scoped());
      const tokens = container.get(TokenService);
      const error = configurationErrorOf(() =>
        configureSecurity({ revocationStore: new MemoryRevocationStore() }, container),
      );
      expect(error.variable).to.equal('revocationStore');
      expect(error.message).to.include('before');
      expect(container.get(TokenService), 'what was built stays').to.equal(tokens);
    });

    it('a container that was never configured throws on first use, and does not borrow the global one', () => {
      expect(() => scoped().get(TokenService)).to.throw();
      const error = configurationErrorOf(() => securityOf(scoped()));
      expect(error.variable).to.equal('configureSecurity');
    });
  });

  describe('the application’s user authentication', () => {
    const newSettings = () => new BaseAppSettings(testEnvironment({ LOGIN_MAX_ATTEMPTS: '2' }));

    it('can be made before the configuration and is bound to it: its workflow uses the configured services', async () => {
      const users = new MemoryUsers();
      const store = new MemoryRevocationStore();
      const container = configureSecurity(
        { userAuthentication: users, settings: newSettings(), revocationStore: store },
        scoped(),
      );
      await users.add('a@example.com', 'a-password');
      const pair = await users.login('a@example.com', 'a-password');
      await users.refresh(pair.refresh_token);
      const reuse = await users.refresh(pair.refresh_token).catch((error: unknown) => error);
      expect(reuse).to.have.property('reason', 'refresh_reuse');
      expect(container.get(USER_AUTHENTICATION)).to.equal(users);
      expect(container.get(MemoryUsers), 'also under its own class').to.equal(users);
    });

    it('throws a ConfigurationError when used before it is configured', async () => {
      const users = new MemoryUsers();
      for (const use of [
        () => users.login('a@example.com', 'a-password'),
        () => users.hashPassword('a-password'),
        () => users.refresh('x'),
      ]) {
        const error = await use().catch((e: unknown) => e);
        expect(error).to.be.instanceOf(ConfigurationError);
        expect((error as ConfigurationError).variable).to.equal('MemoryUsers');
      }
    });

    it('can be used as soon as it is configured: the first use builds the services', async () => {
      const users = new MemoryUsers();
      const container = configureSecurity({ userAuthentication: users }, scoped());
      configureSecurity({ settings: newSettings() }, container);
      expect(await users.hashPassword('a-password')).to.match(/^\$2b\$04\$/);
      expect(() => configureSecurity({ clock: new FrozenClock() }, container)).to.throw(
        ConfigurationError,
      );
    });

    it('belongs to one configuration: a second container refuses it at once', () => {
      const users = new MemoryUsers();
      configureSecurity({ userAuthentication: users, settings: newSettings() }, scoped());
      const error = configurationErrorOf(() =>
        configureSecurity({ userAuthentication: users, settings: newSettings() }, scoped()),
      );
      expect(error.variable).to.equal('userAuthentication');
    });
  });
});
