import { expect } from 'chai';
import { BaseAppSettings } from '../../src/config/base-app-settings';
import { configurationErrorOf } from '../helpers/configuration-error';
import { testEnvironment } from '../helpers/test-environment';

const settings = (env: Record<string, string> = {}) => new BaseAppSettings(testEnvironment(env));

describe('settings of sessions: REFRESH_REUSE_INTERVAL_SECONDS and MAX_SESSIONS_PER_USER', () => {
  it('default to the strict rule and 50 sessions', () => {
    expect(settings().REFRESH_REUSE_INTERVAL_SECONDS).to.equal(0);
    expect(settings().MAX_SESSIONS_PER_USER).to.equal(50);
  });

  it('take their ranges: 0 to 10 seconds, 1 to 1000 sessions', () => {
    expect(
      settings({ REFRESH_REUSE_INTERVAL_SECONDS: '10' }).REFRESH_REUSE_INTERVAL_SECONDS,
    ).to.equal(10);
    expect(settings({ MAX_SESSIONS_PER_USER: '1' }).MAX_SESSIONS_PER_USER).to.equal(1);
    for (const value of ['11', '-1', '2.5', 'ten']) {
      expect(
        configurationErrorOf(() => settings({ REFRESH_REUSE_INTERVAL_SECONDS: value })).message,
      ).to.equal('REFRESH_REUSE_INTERVAL_SECONDS must be an integer from 0 to 10');
    }
    for (const value of ['0', '1001']) {
      expect(
        configurationErrorOf(() => settings({ MAX_SESSIONS_PER_USER: value })).message,
      ).to.equal('MAX_SESSIONS_PER_USER must be an integer from 1 to 1000');
    }
  });
});
