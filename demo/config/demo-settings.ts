import { randomBytes } from 'node:crypto';
import type { Environment } from '../../src';
import { BaseAppSettings, ConfigurationError, EnvReader, redisAddress } from '../../src';
import { isHmacAlgorithm } from '../../src/advanced';

/**
 * The demo's settings: the library's, plus where to listen. With an HS* algorithm outside
 * production, a missing SECRET_KEY is replaced by a random one (`ephemeralKey`), so the
 * demo starts with no environment at all; in production it stays required, and RS*, PS*
 * and ES* always need their PEM keys (JWT_PRIVATE_KEY).
 */
export class DemoSettings extends BaseAppSettings {
  readonly PORT: number;
  readonly HOST: string;
  /** The key is random for this process: tokens die with it. */
  readonly ephemeralKey: boolean;
  /** Redis for revocation and login throttling; unset: in memory. */
  readonly REDIS_URL: string | undefined;
  /** A Redis Cluster (its nodes, `host:port`) instead of one Redis; unset: none. */
  readonly REDIS_CLUSTER_NODES: readonly string[] | undefined;
  /** Redis through Sentinel: the sentinels (`host:port`) and the master's name; unset: none. */
  readonly REDIS_SENTINELS: readonly string[] | undefined;
  readonly REDIS_SENTINEL_NAME: string | undefined;
  /** Prefix of the demo's Redis keys. Default `fastcore:`. */
  readonly REDIS_KEY_PREFIX: string;
  /** PostgreSQL for users; unset: in memory. */
  readonly DATABASE_URL: string | undefined;
  /** Where account mails go (`smtp://` or `smtps://`); unset: not sent, only logged. */
  readonly SMTP_URL: string | undefined;
  /** The origin the links in account mails point at. Default: the demo's own. */
  readonly APP_URL: string;

  constructor(env: Environment = process.env) {
    const hmac = isHmacAlgorithm(env['JWT_ALGORITHM']?.trim() || 'HS256');
    const ephemeralKey = hmac && env['NODE_ENV']?.trim() !== 'production' && !env['SECRET_KEY'];
    const read = new EnvReader(env);
    const port = read.integer('PORT', 3000, { min: 0, max: 65535 });
    const host = read.optionalString('HOST') ?? '127.0.0.1';
    super(env, {
      ...(ephemeralKey ? { SECRET_KEY: randomBytes(64).toString('base64url') } : {}),
      // The page at /app/ is served by the demo itself.
      ALLOWED_ORIGINS: ownOrigins(host, port),
    });
    this.ephemeralKey = ephemeralKey;
    this.PORT = port;
    this.HOST = host;
    this.REDIS_URL = readUrl(read, 'REDIS_URL', ['redis:', 'rediss:']);
    this.REDIS_CLUSTER_NODES = readAddresses(read, 'REDIS_CLUSTER_NODES');
    this.REDIS_SENTINELS = readAddresses(read, 'REDIS_SENTINELS');
    this.REDIS_SENTINEL_NAME = read.optionalString('REDIS_SENTINEL_NAME');
    if ((this.REDIS_SENTINELS === undefined) !== (this.REDIS_SENTINEL_NAME === undefined)) {
      throw new ConfigurationError(
        'REDIS_SENTINEL_NAME',
        'and REDIS_SENTINELS are set together (the sentinels, and the name of the master they watch)',
      );
    }
    const redisKinds = [this.REDIS_URL, this.REDIS_CLUSTER_NODES, this.REDIS_SENTINELS];
    if (redisKinds.filter((kind) => kind !== undefined).length > 1) {
      throw new ConfigurationError(
        'REDIS_URL',
        'at most one of REDIS_URL, REDIS_CLUSTER_NODES and REDIS_SENTINELS may be set',
      );
    }
    this.REDIS_KEY_PREFIX = read.optionalString('REDIS_KEY_PREFIX') ?? 'fastcore:';
    this.DATABASE_URL = readUrl(read, 'DATABASE_URL', ['postgres:', 'postgresql:']);
    this.SMTP_URL = readUrl(read, 'SMTP_URL', ['smtp:', 'smtps:']);
    const appUrl = readUrl(read, 'APP_URL', ['http:', 'https:']);
    this.APP_URL = appUrl === undefined ? ownOrigin(host, port) : new URL(appUrl).origin;
  }
}

/** Hosts by which a browser on this machine reaches a loopback or wildcard listener. */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];
const LOOPBACK_OR_ANY = new Set([
  'localhost',
  '127.0.0.1',
  '::1',
  '[::1]',
  '0.0.0.0',
  '::',
  '[::]',
]);

/**
 * `http://HOST:PORT`, as a browser writes it in `Origin` (an IPv6 host in brackets); for a
 * loopback or wildcard HOST, each name a local browser reaches it by (`localhost`,
 * `127.0.0.1`, `[::1]`).
 */
function ownOrigins(host: string, port: number): string {
  const names = LOOPBACK_OR_ANY.has(host) ? LOOPBACK_NAMES : [bracketed(host)];
  try {
    return names.map((name) => new URL(`http://${name}:${port}`).origin).join(',');
  } catch {
    throw new ConfigurationError('HOST', 'must be a host name or an IP address');
  }
}

/**
 * `http://HOST:PORT` as a browser on this machine opens it: a wildcard HOST as `localhost`
 * (the links of the demo's mails lead there, where its cookies are).
 */
function ownOrigin(host: string, port: number): string {
  const name = ['0.0.0.0', '::', '[::]'].includes(host) ? 'localhost' : host;
  return new URL(`http://${bracketed(name)}:${port}`).origin;
}

/** A host as a URL writes it: an IPv6 address in brackets. */
function bracketed(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/**
 * A comma-separated list of `host:port`.
 * @throws ConfigurationError naming the variable (never its value) for anything else.
 */
function readAddresses(read: EnvReader, name: string): readonly string[] | undefined {
  const value = read.optionalString(name);
  if (value === undefined) return undefined;
  const addresses = value.split(',').map((address) => address.trim());
  try {
    for (const address of addresses) redisAddress(address);
  } catch {
    throw new ConfigurationError(name, 'must be a comma-separated list of host:port');
  }
  return Object.freeze(addresses);
}

/** A URL of one of `protocols`, or unset; never echoed in the error (it may hold a password). */
function readUrl(read: EnvReader, name: string, protocols: string[]): string | undefined {
  const value = read.optionalString(name);
  if (value === undefined) return undefined;
  let protocol: string | undefined;
  try {
    protocol = new URL(value).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol === undefined || !protocols.includes(protocol)) {
    throw new ConfigurationError(
      name,
      `must be a ${protocols.map((p) => `${p}//`).join(' or ')} URL`,
    );
  }
  return value;
}
