// The demo in production mode, for the HTTP benchmark: users registered here (production
// seeds none), tokens handed to the runner over IPC, event-loop lag measured on request.
import 'reflect-metadata';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { IntervalHistogram } from 'node:perf_hooks';
import { createDemoApp } from '../../demo/demo-app';
import type { ServerCommand, ServerReady } from './bench-server-protocol';
import { BENCH_SECRET } from './bench-server-protocol';

async function main(): Promise<void> {
  const demo = await createDemoApp({
    env: {
      NODE_ENV: 'production',
      SECRET_KEY: BENCH_SECRET,
      BCRYPT_ROUNDS: '10',
      LOGIN_MAX_ATTEMPTS: '1000',
      LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '100000',
      REDIS_KEY_PREFIX: `fastcore-bench:${process.pid}:`,
      ...(process.env['BENCH_REDIS_URL'] ? { REDIS_URL: process.env['BENCH_REDIS_URL'] } : {}),
    },
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  await demo.users.register('admin@example.com', 'admin-password', ['admin']);
  await demo.users.register('user@example.com', 'user-password', ['user']);
  const server = demo.app.listen(0, '127.0.0.1', () => void announce());
  const announce = async () => {
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const ready: ServerReady = {
      type: 'ready',
      port,
      userToken: (await demo.users.login('user@example.com', 'user-password')).access_token,
      adminToken: (await demo.users.login('admin@example.com', 'admin-password')).access_token,
    };
    process.send?.(ready);
  };
  let histogram: IntervalHistogram | undefined;
  process.on('message', (command: ServerCommand) => {
    if (command.type === 'lag-start') {
      histogram = monitorEventLoopDelay({ resolution: 1 });
      histogram.enable();
    } else if (histogram) {
      histogram.disable();
      process.send?.({
        type: 'lag',
        p99Ms: histogram.percentile(99) / 1e6,
        maxMs: histogram.max / 1e6,
      });
    }
  });
  process.on('disconnect', () => {
    server.close();
    void demo.close().finally(() => process.exit(0));
  });
}

void main();
