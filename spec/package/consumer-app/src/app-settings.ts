import type { Environment, SettingsDefaults } from '@fastcore/security';
import { BaseAppSettings, ConfigurationError, EnvReader } from '@fastcore/security';

/** Where Redis is: one server, a Redis Cluster, or a master found through Sentinel. */
export type RedisTarget =
  | { kind: 'single'; url: string }
  | { kind: 'cluster'; nodes: string[] }
  | { kind: 'sentinel'; sentinels: string[]; name: string };

/** The application's settings: the library's, plus where Redis is. */
export class AppSettings extends BaseAppSettings {
  readonly REDIS: RedisTarget;
  readonly REDIS_KEY_PREFIX: string;

  /** `defaults`: code defaults of the wiring (the environment still wins). */
  constructor(env: Environment = process.env, defaults: SettingsDefaults = {}) {
    super(env, defaults);
    const read = new EnvReader(env);
    const url = read.optionalString('REDIS_URL');
    const nodes = list(read.optionalString('REDIS_CLUSTER_NODES'));
    const sentinels = list(read.optionalString('REDIS_SENTINELS'));
    const given = [url, nodes, sentinels].filter((value) => value !== undefined);
    if (given.length !== 1) {
      throw new ConfigurationError(
        'REDIS_URL',
        'exactly one of REDIS_URL, REDIS_CLUSTER_NODES and REDIS_SENTINELS must be set',
      );
    }
    if (nodes !== undefined) this.REDIS = { kind: 'cluster', nodes };
    else if (sentinels !== undefined) {
      const name = read.optionalString('REDIS_SENTINEL_NAME');
      if (name === undefined) {
        throw new ConfigurationError('REDIS_SENTINEL_NAME', 'is required with REDIS_SENTINELS');
      }
      this.REDIS = { kind: 'sentinel', sentinels, name };
    } else this.REDIS = { kind: 'single', url: url ?? '' };
    this.REDIS_KEY_PREFIX = read.optionalString('REDIS_KEY_PREFIX') ?? 'consumer-app:';
  }
}

/** A comma-separated list, or undefined when unset. */
function list(value: string | undefined): string[] | undefined {
  return value
    ?.split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
