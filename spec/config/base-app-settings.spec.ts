import { expect } from 'chai';
import type { SettingsDefaults } from '../../src/config/base-app-settings';
import { BaseAppSettings } from '../../src/config/base-app-settings';
import type { Environment } from '../../src/config/env-reader';
import { EnvReader } from '../../src/config/env-reader';
import { ConfigurationError } from '../../src/errors/security-errors';
import { TEST_SECRET_KEY, testEnvironment } from '../helpers/test-environment';
import { configurationErrorOf } from '../helpers/configuration-error';

const configurationError = (env: Environment): ConfigurationError =>
  configurationErrorOf(() => new BaseAppSettings(env));

describe('BaseAppSettings', () => {
  it('has the seed defaults: HS256, 30 minutes, 7 days, cost 12, no leeway', () => {
    const settings = new BaseAppSettings({ SECRET_KEY: TEST_SECRET_KEY });
    expect(settings.JWT_ALGORITHM).to.equal('HS256');
    expect(settings.ACCESS_TOKEN_EXPIRE_MINUTES).to.equal(30);
    expect(settings.REFRESH_TOKEN_EXPIRE_DAYS).to.equal(7);
    expect(settings.REFRESH_SESSION_MAX_DAYS).to.equal(7);
    expect(settings.BCRYPT_ROUNDS).to.equal(12);
    expect(settings.JWT_LEEWAY_SECONDS).to.equal(0);
    expect(settings.JWT_ISSUER).to.equal(undefined);
    expect(settings.JWT_AUDIENCE).to.equal(undefined);
    expect(settings.VERIFIED_TOKEN_CACHE_SIZE).to.equal(10_000);
    expect(settings.isProduction).to.equal(false);
  });

  it('reads VERIFIED_TOKEN_CACHE_SIZE from 0 (off) to a million entries', () => {
    const read = (value: string) =>
      new BaseAppSettings(testEnvironment({ VERIFIED_TOKEN_CACHE_SIZE: value }))
        .VERIFIED_TOKEN_CACHE_SIZE;
    expect(read('0')).to.equal(0);
    expect(read('500')).to.equal(500);
    expect(
      configurationError(testEnvironment({ VERIFIED_TOKEN_CACHE_SIZE: '1000001' })).message,
    ).to.equal('VERIFIED_TOKEN_CACHE_SIZE must be an integer from 0 to 1000000');
  });

  it('turns numbers from the environment into numbers (never "60" as milliseconds)', () => {
    const settings = new BaseAppSettings(
      testEnvironment({
        ACCESS_TOKEN_EXPIRE_MINUTES: '60',
        REFRESH_TOKEN_EXPIRE_DAYS: '14',
        REFRESH_SESSION_MAX_DAYS: '30',
        JWT_LEEWAY_SECONDS: ' 5 ',
      }),
    );
    expect(settings.ACCESS_TOKEN_EXPIRE_MINUTES).to.equal(60);
    expect(settings.accessTokenLifetimeSeconds).to.equal(3600);
    expect(settings.refreshTokenLifetimeSeconds).to.equal(14 * 86400);
    expect(settings.refreshSessionLifetimeSeconds).to.equal(30 * 86400);
    expect(settings.JWT_LEEWAY_SECONDS).to.equal(5);
  });

  it('reads issuer and audience, trimmed; blank means unset', () => {
    const settings = new BaseAppSettings(
      testEnvironment({ JWT_ISSUER: ' https://auth.example.com ', JWT_AUDIENCE: '   ' }),
    );
    expect(settings.JWT_ISSUER).to.equal('https://auth.example.com');
    expect(settings.JWT_AUDIENCE).to.equal(undefined);
  });

  describe('H1 SECRET_KEY', () => {
    it('is required, naming the variable and the rule', () => {
      const error = configurationError({});
      expect(error.variable).to.equal('SECRET_KEY');
      expect(error.message).to.equal('SECRET_KEY is required: at least 32 bytes for HS256');
    });

    for (const [algorithm, bytes] of [
      ['HS256', 32],
      ['HS384', 48],
      ['HS512', 64],
    ] as const) {
      it(`must be at least ${bytes} bytes for ${algorithm}`, () => {
        const key = 'x'.repeat(bytes - 1) + 'y';
        expect(
          new BaseAppSettings({ SECRET_KEY: key, JWT_ALGORITHM: algorithm }).SECRET_KEY,
        ).to.equal(key);
        const error = configurationError({ SECRET_KEY: key.slice(1), JWT_ALGORITHM: algorithm });
        expect(error.message).to.equal(
          `SECRET_KEY must be at least ${bytes} bytes for ${algorithm}`,
        );
      });
    }

    it('counts bytes, not characters', () => {
      // 16 characters of 2 bytes each: 32 bytes.
      expect(new BaseAppSettings({ SECRET_KEY: 'é'.repeat(16) }).SECRET_KEY).to.have.length(16);
    });

    it('never puts the key in the message', () => {
      const key = 'short-secret-value';
      expect(configurationError({ SECRET_KEY: key }).message).not.to.contain(key);
    });

    for (const placeholder of [
      'your-256-bit-secret-your-256-bit-secret',
      'CHANGEME-changeme-CHANGEME-changeme-0000',
      'your-secret-key-here-your-secret-key-here',
      'a'.repeat(64),
      'secret'.padEnd(32, '0'),
      'password'.repeat(4),
      'changethis-before-going-to-production',
    ]) {
      it(`refuses the placeholder "${placeholder.slice(0, 20)}…" in production only`, () => {
        expect(() => new BaseAppSettings({ SECRET_KEY: placeholder })).not.to.throw();
        const error = configurationError({ SECRET_KEY: placeholder, NODE_ENV: 'production' });
        expect(error.variable).to.equal('SECRET_KEY');
        expect(error.message).to.contain('placeholder');
        expect(error.message).not.to.contain(placeholder);
      });
    }

    it('accepts a random key in production', () => {
      const settings = new BaseAppSettings({ SECRET_KEY: TEST_SECRET_KEY, NODE_ENV: 'production' });
      expect(settings.isProduction).to.equal(true);
      // `openssl rand -hex 32`
      const hex = 'f0be4c3c485aecf445b6d417aefd754b2620417ee82755541167fffaad654b29';
      expect(new BaseAppSettings({ SECRET_KEY: hex, NODE_ENV: 'production' }).SECRET_KEY).to.equal(
        hex,
      );
    });
  });

  describe('H2 JWT_ALGORITHM', () => {
    for (const algorithm of ['none', 'NONE', 'None']) {
      it(`refuses ${algorithm}`, () => {
        const error = configurationError(testEnvironment({ JWT_ALGORITHM: algorithm }));
        expect(error.variable).to.equal('JWT_ALGORITHM');
        expect(error.message).to.contain('"none" is never accepted');
      });
    }

    for (const algorithm of ['HS128', 'hs256', 'SHA256', 'HS256 ']) {
      it(`refuses the unknown algorithm ${JSON.stringify(algorithm)}`, () => {
        const env = testEnvironment({ JWT_ALGORITHM: algorithm });
        // A trailing blank is trimmed; everything else must match exactly.
        if (algorithm === 'HS256 ') {
          expect(new BaseAppSettings(env).JWT_ALGORITHM).to.equal('HS256');
          return;
        }
        expect(configurationError(env).message).to.equal(
          'JWT_ALGORITHM must be one of HS256, HS384, HS512, RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512',
        );
      });
    }

    for (const algorithm of ['RS256', 'ES256', 'PS256']) {
      it(`refuses the asymmetric ${algorithm} without a key pair`, () => {
        const error = configurationError(testEnvironment({ JWT_ALGORITHM: algorithm }));
        expect(error.variable).to.equal('JWT_PRIVATE_KEY');
        expect(error.message).to.equal(
          `JWT_PRIVATE_KEY is required for ${algorithm}: a PEM private key (or JWT_PRIVATE_KEY_FILE naming one)`,
        );
      });
    }

    it('refuses EdDSA, saying that jsonwebtoken does not implement it', () => {
      const error = configurationError(testEnvironment({ JWT_ALGORITHM: 'EdDSA' }));
      expect(error.variable).to.equal('JWT_ALGORITHM');
      expect(error.message).to.contain('EdDSA is not supported because jsonwebtoken');
    });
  });

  describe('H3 lifetimes', () => {
    for (const variable of [
      'ACCESS_TOKEN_EXPIRE_MINUTES',
      'REFRESH_TOKEN_EXPIRE_DAYS',
      'JWT_LEEWAY_SECONDS',
    ]) {
      for (const value of ['-5', '1.5', 'abc', '30s', '1e3', '0x10', '99999999999999999999']) {
        it(`refuses ${variable}=${value}`, () => {
          const error = configurationError(testEnvironment({ [variable]: value }));
          expect(error.variable).to.equal(variable);
          expect(error.message).to.match(
            new RegExp(`^${variable} must be an integer from \\d+ to \\d+$`),
          );
        });
      }
    }

    it('refuses zero lifetimes', () => {
      expect(
        configurationError(testEnvironment({ ACCESS_TOKEN_EXPIRE_MINUTES: '0' })).variable,
      ).to.equal('ACCESS_TOKEN_EXPIRE_MINUTES');
      expect(
        configurationError(testEnvironment({ REFRESH_TOKEN_EXPIRE_DAYS: '0' })).variable,
      ).to.equal('REFRESH_TOKEN_EXPIRE_DAYS');
    });

    it('refuses a leeway over 60 seconds (catalogue B2)', () => {
      expect(configurationError(testEnvironment({ JWT_LEEWAY_SECONDS: '61' })).message).to.equal(
        'JWT_LEEWAY_SECONDS must be an integer from 0 to 60',
      );
    });

    it('refuses a session lifetime shorter than a refresh token', () => {
      const error = configurationError(
        testEnvironment({ REFRESH_TOKEN_EXPIRE_DAYS: '7', REFRESH_SESSION_MAX_DAYS: '3' }),
      );
      expect(error.message).to.equal('REFRESH_SESSION_MAX_DAYS must be an integer from 7 to 365');
    });
  });

  describe('settings whose range depends on another one', () => {
    // Every value the README gives for one variable, set alone: no default may refuse it.
    for (const [variable, min, max] of [
      ['ACCESS_TOKEN_EXPIRE_MINUTES', 1, 10_080],
      ['REFRESH_TOKEN_EXPIRE_DAYS', 1, 365],
      ['REFRESH_SESSION_MAX_DAYS', 1, 365],
      ['BCRYPT_ROUNDS', 4, 15],
      ['JWT_LEEWAY_SECONDS', 0, 60],
      ['LOGIN_MAX_ATTEMPTS', 1, 1000],
      ['LOGIN_LOCKOUT_SECONDS', 1, 86_400],
      ['LOGIN_MAX_ATTEMPTS_PER_ADDRESS', 1, 100_000],
      ['VERIFIED_TOKEN_CACHE_SIZE', 0, 1_000_000],
    ] as const) {
      it(`starts with ${variable} alone at ${min} and at ${max}`, () => {
        for (const value of [min, max]) {
          const settings = new BaseAppSettings(testEnvironment({ [variable]: String(value) }));
          expect(settings[variable]).to.equal(value);
        }
      });
    }

    it('raises the per-address default to LOGIN_MAX_ATTEMPTS when that is higher', () => {
      const read = (attempts: string) =>
        new BaseAppSettings(testEnvironment({ LOGIN_MAX_ATTEMPTS: attempts }))
          .LOGIN_MAX_ATTEMPTS_PER_ADDRESS;
      expect(read('1000')).to.equal(1000);
      expect(read('101')).to.equal(101);
      expect(read('50')).to.equal(100);
    });

    it('lowers the per-account default to LOGIN_MAX_ATTEMPTS_PER_ADDRESS when that is lower', () => {
      const read = (attempts: string) =>
        new BaseAppSettings(testEnvironment({ LOGIN_MAX_ATTEMPTS_PER_ADDRESS: attempts }))
          .LOGIN_MAX_ATTEMPTS;
      expect(read('3')).to.equal(3);
      expect(read('12')).to.equal(5);
    });

    it('lowers the refresh token default to REFRESH_SESSION_MAX_DAYS when that is shorter', () => {
      const settings = new BaseAppSettings(testEnvironment({ REFRESH_SESSION_MAX_DAYS: '3' }));
      expect(settings.REFRESH_TOKEN_EXPIRE_DAYS).to.equal(3);
      expect(settings.REFRESH_SESSION_MAX_DAYS).to.equal(3);
      expect(
        new BaseAppSettings(testEnvironment({ REFRESH_SESSION_MAX_DAYS: '30' }))
          .REFRESH_TOKEN_EXPIRE_DAYS,
      ).to.equal(7);
    });

    it('keeps the session default equal to REFRESH_TOKEN_EXPIRE_DAYS (rotation never extends)', () => {
      for (const days of ['1', '30', '365']) {
        const settings = new BaseAppSettings(testEnvironment({ REFRESH_TOKEN_EXPIRE_DAYS: days }));
        expect(settings.REFRESH_SESSION_MAX_DAYS).to.equal(Number(days));
      }
    });

    it('refuses two values set against the rule, naming the one that must give', () => {
      const error = configurationError(
        testEnvironment({ LOGIN_MAX_ATTEMPTS: '10', LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '5' }),
      );
      expect(error.variable).to.equal('LOGIN_MAX_ATTEMPTS_PER_ADDRESS');
      expect(error.message).to.equal(
        'LOGIN_MAX_ATTEMPTS_PER_ADDRESS must be an integer from 10 to 100000',
      );
    });

    it('refuses a value out of its own range with the range it has alone', () => {
      expect(
        configurationError(testEnvironment({ LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '0' })).message,
      ).to.equal('LOGIN_MAX_ATTEMPTS_PER_ADDRESS must be an integer from 1 to 100000');
      expect(
        configurationError(testEnvironment({ REFRESH_SESSION_MAX_DAYS: '366' })).message,
      ).to.equal('REFRESH_SESSION_MAX_DAYS must be an integer from 1 to 365');
    });

    it('lets the library default follow an application default, and checks two application values', () => {
      const withDefaults = (env: Environment, defaults: SettingsDefaults) =>
        new BaseAppSettings(env, defaults);
      expect(
        withDefaults(testEnvironment(), { LOGIN_MAX_ATTEMPTS: 500 }).LOGIN_MAX_ATTEMPTS_PER_ADDRESS,
      ).to.equal(500);
      // The application set the per-address value, so the error names it.
      const refused = configurationErrorOf(() =>
        withDefaults(testEnvironment({ LOGIN_MAX_ATTEMPTS: '100' }), {
          LOGIN_MAX_ATTEMPTS_PER_ADDRESS: 50,
        }),
      );
      expect(refused.message).to.equal(
        'LOGIN_MAX_ATTEMPTS_PER_ADDRESS must be an integer from 100 to 100000',
      );
    });
  });

  describe('H4 BCRYPT_ROUNDS', () => {
    for (const value of ['3', '16', '31', '-1', '0', 'NaN', '10.5', 'twelve']) {
      it(`refuses ${value} outside production`, () => {
        expect(configurationError(testEnvironment({ BCRYPT_ROUNDS: value })).message).to.equal(
          'BCRYPT_ROUNDS must be an integer from 4 to 15',
        );
      });
    }

    it('needs 10 to 15 in production', () => {
      const env = { SECRET_KEY: TEST_SECRET_KEY, NODE_ENV: 'production' };
      expect(configurationError({ ...env, BCRYPT_ROUNDS: '9' }).message).to.equal(
        'BCRYPT_ROUNDS must be an integer from 10 to 15',
      );
      expect(new BaseAppSettings({ ...env, BCRYPT_ROUNDS: '10' }).BCRYPT_ROUNDS).to.equal(10);
    });
  });

  describe('extension by an application', () => {
    class AppSettings extends BaseAppSettings {
      readonly DATABASE_URL: string | undefined;
      constructor(env: Environment) {
        super(env, { ACCESS_TOKEN_EXPIRE_MINUTES: 15, BCRYPT_ROUNDS: 11 });
        this.DATABASE_URL = new EnvReader(env).optionalString('DATABASE_URL');
      }
    }

    it('takes its own defaults and variables, and the environment still wins', () => {
      const settings = new AppSettings(
        testEnvironment({ DATABASE_URL: 'postgres://db/app', BCRYPT_ROUNDS: undefined }),
      );
      expect(settings.ACCESS_TOKEN_EXPIRE_MINUTES).to.equal(15);
      expect(settings.BCRYPT_ROUNDS).to.equal(11);
      expect(settings.DATABASE_URL).to.equal('postgres://db/app');
      expect(
        new AppSettings(testEnvironment({ ACCESS_TOKEN_EXPIRE_MINUTES: '5' }))
          .ACCESS_TOKEN_EXPIRE_MINUTES,
      ).to.equal(5);
    });

    it('validates code defaults by the same rules', () => {
      class BadDefaults extends BaseAppSettings {
        constructor(env: Environment) {
          super(env, { SECRET_KEY: 'your-secret-key-here' });
        }
      }
      expect(() => new BadDefaults({})).to.throw(
        ConfigurationError,
        'SECRET_KEY must be at least 32 bytes',
      );
    });
  });
});
