import { randomBytes } from 'node:crypto';
import { createDemoApp } from '../../demo/demo-app';
import type { DemoApp } from '../../demo/demo-app';
import { BENCH_SECRET } from './bench-server-protocol';

/** The demo as every benchmark runs it, with its two users signed in. */
export interface BenchDemo {
  demo: DemoApp;
  userToken: string;
  adminToken: string;
}

/**
 * The demo in production mode (with every key production requires), a silent logger, login
 * limits out of the way of the load, and a user and an admin registered (production seeds
 * none). `env` adds settings.
 */
export async function createBenchDemo(env: Record<string, string> = {}): Promise<BenchDemo> {
  const demo = await createDemoApp({
    env: {
      NODE_ENV: 'production',
      SECRET_KEY: BENCH_SECRET,
      // Production requires one for the second factor's routes; no benchmark enrols one.
      TOTP_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      BCRYPT_ROUNDS: '10',
      LOGIN_MAX_ATTEMPTS: '1000',
      LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '100000',
      ...env,
    },
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  await demo.users.register('admin@example.com', 'admin-password', ['admin']);
  await demo.users.register('user@example.com', 'user-password', ['user']);
  return {
    demo,
    userToken: (await demo.users.login('user@example.com', 'user-password')).access_token,
    adminToken: (await demo.users.login('admin@example.com', 'admin-password')).access_token,
  };
}
