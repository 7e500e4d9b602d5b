import type { Environment, SettingsDefaults } from '@fastcore/security';
import { BaseAppSettings, ConfigurationError, EnvReader } from '@fastcore/security';

/** The application's settings: the library's, plus where Redis is. */
export class AppSettings extends BaseAppSettings {
  readonly REDIS_URL: string;
  readonly REDIS_KEY_PREFIX: string;

  /** `defaults`: code defaults of the wiring (the environment still wins). */
  constructor(env: Environment = process.env, defaults: SettingsDefaults = {}) {
    super(env, defaults);
    const read = new EnvReader(env);
    const url = read.optionalString('REDIS_URL');
    if (url === undefined) throw new ConfigurationError('REDIS_URL', 'is required');
    this.REDIS_URL = url;
    this.REDIS_KEY_PREFIX = read.optionalString('REDIS_KEY_PREFIX') ?? 'consumer-app:';
  }
}
