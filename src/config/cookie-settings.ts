import { ConfigurationError } from '../errors/security-errors';
import type { EnvReader } from './env-reader';

/** The `SameSite` attribute of the cookie transport's cookies (`None` is never used). */
export type CookieSameSite = 'lax' | 'strict';

/** Code-level defaults of the cookie settings; the environment still wins. */
export interface CookieSettingsDefaults {
  ALLOWED_ORIGINS?: string;
  COOKIE_SAMESITE?: CookieSameSite;
  COOKIE_NAME_PREFIX?: string;
  COOKIE_SECURE?: boolean;
}

/** The cookie transport's settings, validated. */
export interface CookieSettings {
  /** Origins (`scheme://host[:port]`, as browsers send them) whose pages may use the cookies. */
  allowedOrigins: readonly string[];
  sameSite: CookieSameSite;
  /** Middle part of the cookies' names: `__Host-<prefix>-access`, … */
  namePrefix: string;
  /** `Secure` cookies, with the `__Host-`/`__Secure-` name prefixes. */
  secure: boolean;
}

const NAME_PREFIX = /^[A-Za-z0-9_-]{1,32}$/;

/** Reads `ALLOWED_ORIGINS`, `COOKIE_SAMESITE`, `COOKIE_NAME_PREFIX` and `COOKIE_SECURE`. */
export function readCookieSettings(
  read: EnvReader,
  defaults: CookieSettingsDefaults,
  production: boolean,
): CookieSettings {
  const origins = read.optionalString('ALLOWED_ORIGINS') ?? defaults.ALLOWED_ORIGINS;
  const sameSite = (
    read.optionalString('COOKIE_SAMESITE') ??
    defaults.COOKIE_SAMESITE ??
    'lax'
  ).toLowerCase();
  if (sameSite !== 'lax' && sameSite !== 'strict') {
    throw new ConfigurationError(
      'COOKIE_SAMESITE',
      'must be lax or strict (None would send the cookies with requests from any site)',
    );
  }
  const namePrefix =
    read.optionalString('COOKIE_NAME_PREFIX') ?? defaults.COOKIE_NAME_PREFIX ?? 'fastcore';
  if (!NAME_PREFIX.test(namePrefix) || /^__(host|secure)/i.test(namePrefix)) {
    throw new ConfigurationError(
      'COOKIE_NAME_PREFIX',
      'must be 1 to 32 letters, digits, "_" or "-", not starting with __Host or __Secure (the library adds those prefixes itself)',
    );
  }
  const secure = readBoolean(read, 'COOKIE_SECURE', defaults.COOKIE_SECURE ?? true);
  if (!secure && production) {
    throw new ConfigurationError(
      'COOKIE_SECURE',
      'must be true in production: tokens in cookies without Secure travel over plain HTTP',
    );
  }
  const allowedOrigins = origins === undefined ? [] : parseAllowedOrigins(origins);
  if (production && allowedOrigins.some((origin) => !isSecureOrigin(origin))) {
    throw new ConfigurationError(
      'ALLOWED_ORIGINS',
      'must be https origins in production (http only for localhost): a page served over plain HTTP can be changed on the way and use the cookies',
    );
  }
  return {
    allowedOrigins,
    sameSite,
    namePrefix,
    secure,
  };
}

/**
 * `https://app.example.com, http://localhost:5173` → the origins as a browser serializes them
 * in `Origin` (lower case, no default port, no path).
 * @throws ConfigurationError for anything else: a path, a wildcard, credentials, `null`.
 */
export function parseAllowedOrigins(value: string): string[] {
  const origins = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  return [...new Set(origins.map(toOrigin))];
}

function toOrigin(entry: string): string {
  let url: URL | undefined;
  try {
    url = new URL(entry);
  } catch {
    url = undefined;
  }
  const bare =
    url !== undefined &&
    (url.protocol === 'https:' || url.protocol === 'http:') &&
    url.username === '' &&
    url.password === '' &&
    url.search === '' &&
    url.hash === '' &&
    url.pathname === '/' &&
    !url.hostname.includes('*') &&
    !/[/?#]$/.test(entry.replace(/^[a-z]+:\/\//i, ''));
  if (url === undefined || !bare) {
    throw new ConfigurationError(
      'ALLOWED_ORIGINS',
      'must be a comma-separated list of origins such as https://app.example.com (scheme, host and port only)',
    );
  }
  return url.origin;
}

/** https, or http on the loopback host (development on the same machine). */
function isSecureOrigin(origin: string): boolean {
  const { protocol, hostname } = new URL(origin);
  return (
    protocol === 'https:' || ['localhost', '127.0.0.1', '[::1]'].includes(hostname.toLowerCase())
  );
}

function readBoolean(read: EnvReader, name: string, fallback: boolean): boolean {
  const raw = read.optionalString(name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigurationError(name, 'must be true or false');
}
