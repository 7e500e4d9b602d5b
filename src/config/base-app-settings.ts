import { randomBytes } from 'node:crypto';
import { ConfigurationError } from '../errors/security-errors';
import type { Environment } from './env-reader';
import { EnvReader } from './env-reader';
import { JwtKeySet } from '../keys/jwt-key-set';
import type { AsymmetricKeyTexts } from './jwt-key-settings';
import { asymmetricKeySet, readAsymmetricKeyTexts } from './jwt-key-settings';
import type { HmacAlgorithm, JwtAlgorithm } from './jwt-algorithms';
import {
  JWT_ALGORITHMS,
  MIN_HMAC_KEY_BYTES,
  isHmacAlgorithm,
  isJwtAlgorithm,
} from './jwt-algorithms';
import { isPlaceholderKey } from './placeholder-keys';
import { readOrderedIntegers } from './ordered-integers';
import type { CookieSettings, CookieSettingsDefaults } from './cookie-settings';
import { readCookieSettings } from './cookie-settings';

/** Code-level defaults an application may set; the environment still wins. */
export interface SettingsDefaults extends AsymmetricKeyTexts, CookieSettingsDefaults {
  SECRET_KEY?: string;
  JWT_ALGORITHM?: string;
  ACCESS_TOKEN_EXPIRE_MINUTES?: number;
  REFRESH_TOKEN_EXPIRE_DAYS?: number;
  REFRESH_SESSION_MAX_DAYS?: number;
  BCRYPT_ROUNDS?: number;
  JWT_LEEWAY_SECONDS?: number;
  LOGIN_MAX_ATTEMPTS?: number;
  LOGIN_LOCKOUT_SECONDS?: number;
  LOGIN_MAX_ATTEMPTS_PER_ADDRESS?: number;
  LOGIN_MAX_ATTEMPTS_PER_ACCOUNT?: number;
  REGISTER_MAX_PER_ADDRESS?: number;
  BCRYPT_MAX_QUEUED?: number;
  VERIFIED_TOKEN_CACHE_SIZE?: number;
  REFRESH_REUSE_INTERVAL_SECONDS?: number;
  MAX_SESSIONS_PER_USER?: number;
  EMAIL_VERIFICATION_EXPIRE_MINUTES?: number;
  PASSWORD_RESET_EXPIRE_MINUTES?: number;
  ACCOUNT_MAIL_MAX_PER_ACCOUNT?: number;
  ACCOUNT_MAIL_MAX_PER_ADDRESS?: number;
  ACCOUNT_MAIL_MAX_QUEUED?: number;
  TOTP_ENCRYPTION_KEY?: string;
  MFA_CHALLENGE_EXPIRE_MINUTES?: number;
  TOTP_ISSUER?: string;
  MFA_MAX_ATTEMPTS?: number;
}

const ACCESS_MINUTES = { min: 1, max: 7 * 24 * 60 };
const REFRESH_DAYS = { min: 1, max: 365 };
const LEEWAY_SECONDS = { min: 0, max: 60 };
const ROUNDS_PRODUCTION = { min: 10, max: 15 };
const ROUNDS_DEVELOPMENT = { min: 4, max: 15 };
const LOGIN_ATTEMPTS = { min: 1, max: 1000 };
const ADDRESS_ATTEMPTS = { min: 1, max: 100_000 };
const REGISTRATIONS = { min: 1, max: 100_000 };
const QUEUED_HASHES = { min: 1, max: 100_000 };
const LOCKOUT_SECONDS = { min: 1, max: 86_400 };
const CACHE_ENTRIES = { min: 0, max: 1_000_000 };
const REUSE_INTERVAL_SECONDS = { min: 0, max: 10 };
const SESSIONS_PER_USER = { min: 1, max: 1000 };
const VERIFICATION_MINUTES = { min: 5, max: 7 * 24 * 60 };
const RESET_MINUTES = { min: 5, max: 24 * 60 };
const CHALLENGE_MINUTES = { min: 1, max: 30 };
/** The least key material for the AES-256-GCM key of TOTP secrets. */
const MIN_TOTP_KEY_BYTES = 32;
const MAILS_PER_ACCOUNT = { min: 1, max: 1000 };
const MAILS_PER_ADDRESS = { min: 1, max: 100_000 };
const QUEUED_MAILS = { min: 1, max: 100_000 };

/**
 * Security settings, read from the environment and validated once, in the constructor: a
 * bad value throws a `ConfigurationError` naming the variable and the rule, so an app fails
 * at start instead of at its first login.
 *
 * Extend it to add an application's own settings, or to change defaults (the environment
 * still wins):
 *
 * @example
 * ```ts
 * class AppSettings extends BaseAppSettings {
 *   readonly DATABASE_URL: string | undefined;
 *   constructor(env: Environment = process.env) {
 *     super(env, { ACCESS_TOKEN_EXPIRE_MINUTES: 15 });
 *     this.DATABASE_URL = new EnvReader(env).optionalString('DATABASE_URL');
 *   }
 * }
 * ```
 */
export class BaseAppSettings {
  /**
   * HMAC signing key (HS* only); at least as many bytes as the hash (32 for HS256).
   * `undefined` with an asymmetric algorithm, which uses `JWT_PRIVATE_KEY` instead.
   */
  readonly SECRET_KEY: string | undefined;
  /** Pinned signing and verification algorithm: HS*, RS*, PS* or ES*. Default `HS256`. */
  readonly JWT_ALGORITHM: JwtAlgorithm;
  /**
   * The keys tokens are signed and verified with, checked at start: the HMAC secret, or
   * for the RS, PS and ES algorithms the PEM keys `JWT_PRIVATE_KEY`, `JWT_PUBLIC_KEY` (optional) and
   * `JWT_ADDITIONAL_PUBLIC_KEYS` (optional, for rotation), each also readable from `NAME_FILE`.
   */
  readonly jwtKeys: JwtKeySet;
  /** Access token lifetime. Default 30. */
  readonly ACCESS_TOKEN_EXPIRE_MINUTES: number;
  /**
   * Refresh token lifetime: how long a session may stay idle. 1 to 365, at most
   * `REFRESH_SESSION_MAX_DAYS`. Default 7, or `REFRESH_SESSION_MAX_DAYS` when that is set
   * lower.
   */
  readonly REFRESH_TOKEN_EXPIRE_DAYS: number;
  /**
   * Absolute lifetime of a refresh family (one login session): rotation never extends a
   * session past it. 1 to 365, at least `REFRESH_TOKEN_EXPIRE_DAYS`. Default:
   * `REFRESH_TOKEN_EXPIRE_DAYS`, so that rotation never extends.
   */
  readonly REFRESH_SESSION_MAX_DAYS: number;
  /** bcrypt cost of new hashes. Default 12; 10–15 in production, 4–15 otherwise. */
  readonly BCRYPT_ROUNDS: number;
  /** `iss` set on tokens and required on verification, when set. */
  readonly JWT_ISSUER: string | undefined;
  /** `aud` set on tokens and required on verification, when set. */
  readonly JWT_AUDIENCE: string | undefined;
  /** Clock leeway on `exp`, `nbf` and `iat`. Default 0, at most 60. */
  readonly JWT_LEEWAY_SECONDS: number;
  /** `production` turns on the strict checks. */
  readonly NODE_ENV: string | undefined;
  /**
   * Failed logins of one account within the lockout window before it locks: 1 to 1000.
   * Default 5, or `LOGIN_MAX_ATTEMPTS_PER_ADDRESS` when that is set lower.
   */
  readonly LOGIN_MAX_ATTEMPTS: number;
  /**
   * How long a locked account (or address) stays locked, and the counting window: 1 to
   * 86400. Default 900.
   */
  readonly LOGIN_LOCKOUT_SECONDS: number;
  /**
   * Failed logins from one client address within the window before it locks: 1 to 100000,
   * at least `LOGIN_MAX_ATTEMPTS`. Default 100, or `LOGIN_MAX_ATTEMPTS` when that is higher.
   */
  readonly LOGIN_MAX_ATTEMPTS_PER_ADDRESS: number;
  /**
   * Failed logins of one account from all addresses together within the window before it
   * locks for every address: 1 to 100000, at least `LOGIN_MAX_ATTEMPTS`. Default 100 (or
   * `LOGIN_MAX_ATTEMPTS` when that is higher): a distributed guesser gets no more, and
   * locking a user out takes that many failures from at least
   * `LOGIN_MAX_ATTEMPTS_PER_ACCOUNT / LOGIN_MAX_ATTEMPTS` addresses.
   */
  readonly LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: number;
  /** Registrations from one client address per hour before 429: 1 to 100000. Default 20. */
  readonly REGISTER_MAX_PER_ADDRESS: number;
  /**
   * bcrypt operations (hashes and compares) admitted at once, running or waiting for
   * libuv's thread pool; past it a login or registration answers 503 at once instead of
   * queueing. 1 to 100000. Default 4 × the thread pool (`UV_THREADPOOL_SIZE`, default 4).
   */
  readonly BCRYPT_MAX_QUEUED: number;
  /**
   * Verified access tokens kept so that a token used again skips the signature check
   * (expiry, type and revocation are still checked on every use). Default 10000; 0 turns
   * the cache off.
   */
  readonly VERIFIED_TOKEN_CACHE_SIZE: number;
  /**
   * Seconds after a refresh during which the refresh token it spent, presented again, gets a
   * new pair of the same session instead of ending it (two tabs, or a client retrying a lost
   * answer). 0 to 10. Default 0: the strict rule, reuse always ends the session. The cost: a
   * thief replaying a stolen refresh token within the interval gets a pair too.
   */
  readonly REFRESH_REUSE_INTERVAL_SECONDS: number;
  /**
   * Live sessions one user may hold: a login past it ends the user's oldest session. 1 to
   * 1000. Default 50.
   */
  readonly MAX_SESSIONS_PER_USER: number;
  /** Lifetime of an email verification link's token: 5 to 10080. Default 1440 (a day). */
  readonly EMAIL_VERIFICATION_EXPIRE_MINUTES: number;
  /** Lifetime of a password reset link's token: 5 to 1440. Default 30. */
  readonly PASSWORD_RESET_EXPIRE_MINUTES: number;
  /**
   * Account mails (verification, password reset) to one account, or one email address typed
   * into "forgot password", per hour: 1 to 1000. Default 3. Past it no mail is sent, and
   * "forgot password" answers as always (a different answer would tell that the limit was
   * reached, and whose).
   */
  readonly ACCOUNT_MAIL_MAX_PER_ACCOUNT: number;
  /**
   * Requests for an account mail from one client address per hour before 429: 1 to 100000.
   * Default 20.
   */
  readonly ACCOUNT_MAIL_MAX_PER_ADDRESS: number;
  /**
   * Account mails waiting for the application's delivery at once; past it a mail is dropped
   * (and reported) rather than queued without bound. 1 to 100000. Default 100.
   */
  readonly ACCOUNT_MAIL_MAX_QUEUED: number;
  /**
   * The key material (at least 32 bytes) that the key encrypting stored TOTP secrets
   * (AES-256-GCM) is derived from. Required in production once the second factor is used;
   * in development, when unset, a random key made at start (`totpKeyIsEphemeral`): secrets
   * enrolled before a restart, or on another instance, no longer decrypt.
   */
  readonly TOTP_ENCRYPTION_KEY: string | undefined;
  /** Whether `TOTP_ENCRYPTION_KEY` was made at start (development without one). */
  readonly totpKeyIsEphemeral: boolean;
  /**
   * Lifetime of the challenge a login answers with when the user has a second factor (the
   * password was right; the code is still due): 1 to 30. Default 5.
   */
  readonly MFA_CHALLENGE_EXPIRE_MINUTES: number;
  /**
   * The issuer an authenticator app shows beside the account (the `otpauth://` URI's
   * `issuer`): at most 64 characters, no `:`. Default `fastcore`.
   */
  readonly TOTP_ISSUER: string;
  /**
   * Wrong codes of one account's second factor, from all addresses together, before its
   * second step locks for `LOGIN_LOCKOUT_SECONDS`: 1 to 100. Default 5. Only an accepted
   * code ends the count (a right password, a password reset do not): whoever holds the
   * password gets this many guesses of a six-digit code per lockout, wherever from.
   */
  readonly MFA_MAX_ATTEMPTS: number;
  /**
   * The cookie transport's settings, used when the application enables it (`transports`):
   * `ALLOWED_ORIGINS` (comma-separated origins of the pages that may use the cookies;
   * required then), `COOKIE_SAMESITE` (`lax` or `strict`, default `lax`),
   * `COOKIE_NAME_PREFIX` (default `fastcore`), `COOKIE_SECURE` (default `true`; `false`, for
   * browsers that refuse Secure cookies on http://localhost, is refused in production).
   */
  readonly cookies: CookieSettings;

  constructor(env: Environment = process.env, defaults: SettingsDefaults = {}) {
    const read = new EnvReader(env);
    this.NODE_ENV = read.optionalString('NODE_ENV');
    this.JWT_ALGORITHM = readAlgorithm(
      read.optionalString('JWT_ALGORITHM') ?? defaults.JWT_ALGORITHM,
    );
    const keyTexts = readAsymmetricKeyTexts(read);
    const privateKey = keyTexts.JWT_PRIVATE_KEY ?? defaults.JWT_PRIVATE_KEY;
    if (isHmacAlgorithm(this.JWT_ALGORITHM)) {
      if (privateKey !== undefined) {
        throw new ConfigurationError(
          'JWT_PRIVATE_KEY',
          `is set but JWT_ALGORITHM is ${this.JWT_ALGORITHM}; choose an RS*, PS* or ES* algorithm or unset it`,
        );
      }
      this.SECRET_KEY = readSecretKey(
        read.rawString('SECRET_KEY') ?? defaults.SECRET_KEY,
        this.JWT_ALGORITHM,
        this.isProduction,
      );
      this.jwtKeys = JwtKeySet.hmac(this.JWT_ALGORITHM, this.SECRET_KEY);
    } else {
      this.SECRET_KEY = undefined;
      this.jwtKeys = asymmetricKeySet(this.JWT_ALGORITHM, {
        JWT_PRIVATE_KEY: privateKey,
        JWT_PUBLIC_KEY: keyTexts.JWT_PUBLIC_KEY ?? defaults.JWT_PUBLIC_KEY,
        JWT_ADDITIONAL_PUBLIC_KEYS:
          keyTexts.JWT_ADDITIONAL_PUBLIC_KEYS ?? defaults.JWT_ADDITIONAL_PUBLIC_KEYS,
      });
    }
    this.ACCESS_TOKEN_EXPIRE_MINUTES = read.integer(
      'ACCESS_TOKEN_EXPIRE_MINUTES',
      defaults.ACCESS_TOKEN_EXPIRE_MINUTES ?? 30,
      ACCESS_MINUTES,
    );
    const refresh = readOrderedIntegers(
      read,
      {
        name: 'REFRESH_TOKEN_EXPIRE_DAYS',
        range: REFRESH_DAYS,
        codeDefault: defaults.REFRESH_TOKEN_EXPIRE_DAYS,
        fallback: 7,
      },
      // No fallback of its own: the session lasts as long as its refresh token.
      {
        name: 'REFRESH_SESSION_MAX_DAYS',
        range: REFRESH_DAYS,
        codeDefault: defaults.REFRESH_SESSION_MAX_DAYS,
      },
    );
    this.REFRESH_TOKEN_EXPIRE_DAYS = refresh.lower;
    this.REFRESH_SESSION_MAX_DAYS = refresh.upper;
    this.BCRYPT_ROUNDS = read.integer(
      'BCRYPT_ROUNDS',
      defaults.BCRYPT_ROUNDS ?? 12,
      this.isProduction ? ROUNDS_PRODUCTION : ROUNDS_DEVELOPMENT,
    );
    this.JWT_LEEWAY_SECONDS = read.integer(
      'JWT_LEEWAY_SECONDS',
      defaults.JWT_LEEWAY_SECONDS ?? 0,
      LEEWAY_SECONDS,
    );
    const attempts = readOrderedIntegers(
      read,
      {
        name: 'LOGIN_MAX_ATTEMPTS',
        range: LOGIN_ATTEMPTS,
        codeDefault: defaults.LOGIN_MAX_ATTEMPTS,
        fallback: 5,
      },
      {
        name: 'LOGIN_MAX_ATTEMPTS_PER_ADDRESS',
        range: ADDRESS_ATTEMPTS,
        codeDefault: defaults.LOGIN_MAX_ATTEMPTS_PER_ADDRESS,
        fallback: 100,
      },
    );
    this.LOGIN_MAX_ATTEMPTS = attempts.lower;
    this.LOGIN_MAX_ATTEMPTS_PER_ADDRESS = attempts.upper;
    this.LOGIN_MAX_ATTEMPTS_PER_ACCOUNT = read.integer(
      'LOGIN_MAX_ATTEMPTS_PER_ACCOUNT',
      Math.max(defaults.LOGIN_MAX_ATTEMPTS_PER_ACCOUNT ?? 100, this.LOGIN_MAX_ATTEMPTS),
      { min: this.LOGIN_MAX_ATTEMPTS, max: ADDRESS_ATTEMPTS.max },
    );
    this.REGISTER_MAX_PER_ADDRESS = read.integer(
      'REGISTER_MAX_PER_ADDRESS',
      defaults.REGISTER_MAX_PER_ADDRESS ?? 20,
      REGISTRATIONS,
    );
    this.BCRYPT_MAX_QUEUED = read.integer(
      'BCRYPT_MAX_QUEUED',
      defaults.BCRYPT_MAX_QUEUED ?? 4 * threadPoolSize(env),
      QUEUED_HASHES,
    );
    this.LOGIN_LOCKOUT_SECONDS = read.integer(
      'LOGIN_LOCKOUT_SECONDS',
      defaults.LOGIN_LOCKOUT_SECONDS ?? 900,
      LOCKOUT_SECONDS,
    );
    this.VERIFIED_TOKEN_CACHE_SIZE = read.integer(
      'VERIFIED_TOKEN_CACHE_SIZE',
      defaults.VERIFIED_TOKEN_CACHE_SIZE ?? 10_000,
      CACHE_ENTRIES,
    );
    this.REFRESH_REUSE_INTERVAL_SECONDS = read.integer(
      'REFRESH_REUSE_INTERVAL_SECONDS',
      defaults.REFRESH_REUSE_INTERVAL_SECONDS ?? 0,
      REUSE_INTERVAL_SECONDS,
    );
    this.MAX_SESSIONS_PER_USER = read.integer(
      'MAX_SESSIONS_PER_USER',
      defaults.MAX_SESSIONS_PER_USER ?? 50,
      SESSIONS_PER_USER,
    );
    this.EMAIL_VERIFICATION_EXPIRE_MINUTES = read.integer(
      'EMAIL_VERIFICATION_EXPIRE_MINUTES',
      defaults.EMAIL_VERIFICATION_EXPIRE_MINUTES ?? 1440,
      VERIFICATION_MINUTES,
    );
    this.PASSWORD_RESET_EXPIRE_MINUTES = read.integer(
      'PASSWORD_RESET_EXPIRE_MINUTES',
      defaults.PASSWORD_RESET_EXPIRE_MINUTES ?? 30,
      RESET_MINUTES,
    );
    this.ACCOUNT_MAIL_MAX_PER_ACCOUNT = read.integer(
      'ACCOUNT_MAIL_MAX_PER_ACCOUNT',
      defaults.ACCOUNT_MAIL_MAX_PER_ACCOUNT ?? 3,
      MAILS_PER_ACCOUNT,
    );
    this.ACCOUNT_MAIL_MAX_PER_ADDRESS = read.integer(
      'ACCOUNT_MAIL_MAX_PER_ADDRESS',
      defaults.ACCOUNT_MAIL_MAX_PER_ADDRESS ?? 20,
      MAILS_PER_ADDRESS,
    );
    this.ACCOUNT_MAIL_MAX_QUEUED = read.integer(
      'ACCOUNT_MAIL_MAX_QUEUED',
      defaults.ACCOUNT_MAIL_MAX_QUEUED ?? 100,
      QUEUED_MAILS,
    );
    const totpKey = readTotpKey(
      read.rawString('TOTP_ENCRYPTION_KEY') ?? defaults.TOTP_ENCRYPTION_KEY,
      this.isProduction,
    );
    this.totpKeyIsEphemeral = totpKey === undefined && !this.isProduction;
    this.TOTP_ENCRYPTION_KEY = this.totpKeyIsEphemeral
      ? randomBytes(MIN_TOTP_KEY_BYTES).toString('base64')
      : totpKey;
    this.MFA_CHALLENGE_EXPIRE_MINUTES = read.integer(
      'MFA_CHALLENGE_EXPIRE_MINUTES',
      defaults.MFA_CHALLENGE_EXPIRE_MINUTES ?? 5,
      CHALLENGE_MINUTES,
    );
    this.MFA_MAX_ATTEMPTS = read.integer('MFA_MAX_ATTEMPTS', defaults.MFA_MAX_ATTEMPTS ?? 5, {
      min: 1,
      max: 100,
    });
    this.TOTP_ISSUER = readTotpIssuer(
      read.optionalString('TOTP_ISSUER') ?? defaults.TOTP_ISSUER ?? 'fastcore',
    );
    this.cookies = readCookieSettings(read, defaults, this.isProduction);
    this.JWT_ISSUER = read.optionalString('JWT_ISSUER');
    this.JWT_AUDIENCE = read.optionalString('JWT_AUDIENCE');
  }

  get isProduction(): boolean {
    return this.NODE_ENV === 'production';
  }

  get accessTokenLifetimeSeconds(): number {
    return this.ACCESS_TOKEN_EXPIRE_MINUTES * 60;
  }

  get refreshTokenLifetimeSeconds(): number {
    return this.REFRESH_TOKEN_EXPIRE_DAYS * 24 * 3600;
  }

  get refreshSessionLifetimeSeconds(): number {
    return this.REFRESH_SESSION_MAX_DAYS * 24 * 3600;
  }
}

/** libuv's thread pool, where bcrypt runs: `UV_THREADPOOL_SIZE` (1 to 1024), else 4. */
function threadPoolSize(env: Environment): number {
  const size = Number(env['UV_THREADPOOL_SIZE']);
  return Number.isInteger(size) && size >= 1 && size <= 1024 ? size : 4;
}

function readAlgorithm(value: string | undefined): JwtAlgorithm {
  const algorithm = value ?? 'HS256';
  if (isJwtAlgorithm(algorithm)) return algorithm;
  const choices = JWT_ALGORITHMS.join(', ');
  if (algorithm.toLowerCase() === 'none') {
    throw new ConfigurationError(
      'JWT_ALGORITHM',
      `must be one of ${choices}; "none" is never accepted`,
    );
  }
  if (algorithm === 'EdDSA') {
    throw new ConfigurationError(
      'JWT_ALGORITHM',
      `must be one of ${choices}; EdDSA is not supported because jsonwebtoken, which signs and verifies the tokens, does not implement it`,
    );
  }
  throw new ConfigurationError('JWT_ALGORITHM', `must be one of ${choices}`);
}

function readTotpIssuer(issuer: string): string {
  // Printable characters only: it is shown by authenticator apps.
  if (issuer.length > 64 || issuer.includes(':') || !/^[\P{Cc}]*$/u.test(issuer)) {
    throw new ConfigurationError(
      'TOTP_ISSUER',
      'must be at most 64 characters, without : or controls',
    );
  }
  return issuer;
}

function readTotpKey(key: string | undefined, production: boolean): string | undefined {
  if (key === undefined || key === '') return undefined;
  if (Buffer.byteLength(key, 'utf8') < MIN_TOTP_KEY_BYTES) {
    throw new ConfigurationError(
      'TOTP_ENCRYPTION_KEY',
      `must be at least ${MIN_TOTP_KEY_BYTES} bytes (e.g. \`openssl rand -base64 32\`)`,
    );
  }
  if (production && isPlaceholderKey(key)) {
    throw new ConfigurationError(
      'TOTP_ENCRYPTION_KEY',
      'is a well-known placeholder; production needs a random key (e.g. `openssl rand -base64 32`)',
    );
  }
  return key;
}

function readSecretKey(
  key: string | undefined,
  algorithm: HmacAlgorithm,
  production: boolean,
): string {
  const minBytes = MIN_HMAC_KEY_BYTES[algorithm];
  if (key === undefined) {
    throw new ConfigurationError(
      'SECRET_KEY',
      `is required: at least ${minBytes} bytes for ${algorithm}`,
    );
  }
  if (Buffer.byteLength(key, 'utf8') < minBytes) {
    throw new ConfigurationError(
      'SECRET_KEY',
      `must be at least ${minBytes} bytes for ${algorithm}`,
    );
  }
  if (production && isPlaceholderKey(key)) {
    throw new ConfigurationError(
      'SECRET_KEY',
      'is a well-known placeholder; production needs a random key (e.g. `openssl rand -base64 64`)',
    );
  }
  return key;
}
