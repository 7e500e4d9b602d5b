import { expect } from 'chai';
import { BaseAppSettings } from '../../src/config/base-app-settings';
import { testEnvironment } from '../helpers/test-environment';

describe('BaseAppSettings: throttling and bounded-work settings', () => {
  const settings = (env: Record<string, string> = {}) => new BaseAppSettings(testEnvironment(env));

  it('defaults: 100 per account from all addresses, 20 registrations an hour, 16 bcrypt operations', () => {
    expect(settings()).to.include({
      LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: 100,
      REGISTER_MAX_PER_ADDRESS: 20,
      BCRYPT_MAX_QUEUED: 16,
    });
  });

  it('the account-wide limit is at least LOGIN_MAX_ATTEMPTS (its default follows a higher one)', () => {
    expect(settings({ LOGIN_MAX_ATTEMPTS: '200', LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '300' }))
      .to.have.property('LOGIN_MAX_ATTEMPTS_PER_ACCOUNT')
      .that.equals(200);
    expect(() =>
      settings({ LOGIN_MAX_ATTEMPTS: '10', LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: '5' }),
    ).to.throw('LOGIN_MAX_ATTEMPTS_PER_ACCOUNT');
  });

  for (const [name, bad] of [
    ['REGISTER_MAX_PER_ADDRESS', '0'],
    ['REGISTER_MAX_PER_ADDRESS', '100001'],
    ['BCRYPT_MAX_QUEUED', '0'],
    ['BCRYPT_MAX_QUEUED', 'many'],
  ] as const) {
    it(`refuses ${name}=${bad} with a ConfigurationError naming it`, () => {
      expect(() => settings({ [name]: bad })).to.throw(name);
    });
  }
});
