import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { BaseAppSettings } from '../../src/config/base-app-settings';
import { parseAllowedOrigins } from '../../src/config/cookie-settings';
import { configurationErrorOf } from '../helpers/configuration-error';
import { testEnvironment } from '../helpers/test-environment';

const settings = (env: Record<string, string>) => new BaseAppSettings(testEnvironment(env));

describe('cookie settings (ALLOWED_ORIGINS, COOKIE_SAMESITE, COOKIE_NAME_PREFIX, COOKIE_SECURE)', () => {
  it('defaults: no origin, Lax, prefix fastcore, Secure', () => {
    expect(settings({}).cookies).to.deep.equal({
      allowedOrigins: [],
      sameSite: 'lax',
      namePrefix: 'fastcore',
      secure: true,
    });
  });

  it('writes origins as browsers send them in Origin', () => {
    expect(
      parseAllowedOrigins(
        ' HTTPS://App.Example.com:443 , http://localhost:5173,https://app.example.com',
      ),
    ).to.deep.equal(['https://app.example.com', 'http://localhost:5173']);
    expect(parseAllowedOrigins('http://[::1]:3000')).to.deep.equal(['http://[::1]:3000']);
  });

  it('refuses what is no origin', () => {
    for (const value of [
      '*',
      'null',
      'app.example.com',
      'https://app.example.com/',
      'https://app.example.com/path',
      'https://app.example.com?x',
      'https://user:pw@app.example.com',
      'ftp://app.example.com',
      'javascript:alert(1)',
    ]) {
      const error = configurationErrorOf(() => settings({ ALLOWED_ORIGINS: value }));
      expect(error.variable, value).to.equal('ALLOWED_ORIGINS');
    }
  });

  it('SameSite is lax or strict, never none', () => {
    expect(settings({ COOKIE_SAMESITE: 'Strict' }).cookies.sameSite).to.equal('strict');
    for (const value of ['none', 'None', 'lax;', '']) {
      if (value === '') continue;
      expect(configurationErrorOf(() => settings({ COOKIE_SAMESITE: value })).variable).to.equal(
        'COOKIE_SAMESITE',
      );
    }
  });

  it('a prefix that cannot break a cookie name', () => {
    expect(settings({ COOKIE_NAME_PREFIX: 'my_app-1' }).cookies.namePrefix).to.equal('my_app-1');
    for (const value of ['a;b', 'a=b', 'a b', 'x'.repeat(33), 'é']) {
      expect(configurationErrorOf(() => settings({ COOKIE_NAME_PREFIX: value })).variable).to.equal(
        'COOKIE_NAME_PREFIX',
      );
    }
  });

  it('COOKIE_SECURE=false outside production only', () => {
    expect(settings({ COOKIE_SECURE: 'false' }).cookies.secure).to.equal(false);
    expect(
      configurationErrorOf(() =>
        settings({
          COOKIE_SECURE: 'false',
          NODE_ENV: 'production',
          BCRYPT_ROUNDS: '10',
          SECRET_KEY: randomBytes(48).toString('base64url'),
        }),
      ).variable,
    ).to.equal('COOKIE_SECURE');
    expect(configurationErrorOf(() => settings({ COOKIE_SECURE: 'no' })).variable).to.equal(
      'COOKIE_SECURE',
    );
  });
});
