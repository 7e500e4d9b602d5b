import { randomBytes } from 'node:crypto';
import type { Environment } from '../../src';
import { BaseAppSettings, EnvReader } from '../../src';

/**
 * The demo's settings: the library's, plus where to listen. Outside production a missing
 * SECRET_KEY is replaced by a random one (`ephemeralKey`), so the demo starts with no
 * environment at all; in production it stays required.
 */
export class DemoSettings extends BaseAppSettings {
  readonly PORT: number;
  readonly HOST: string;
  /** The key is random for this process: tokens die with it. */
  readonly ephemeralKey: boolean;

  constructor(env: Environment = process.env) {
    const ephemeralKey = env['NODE_ENV']?.trim() !== 'production' && !env['SECRET_KEY'];
    super(env, ephemeralKey ? { SECRET_KEY: randomBytes(64).toString('base64url') } : {});
    this.ephemeralKey = ephemeralKey;
    const read = new EnvReader(env);
    this.PORT = read.integer('PORT', 3000, { min: 0, max: 65535 });
    this.HOST = read.optionalString('HOST') ?? '127.0.0.1';
  }
}
