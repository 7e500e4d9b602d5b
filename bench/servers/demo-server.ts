// The demo in production mode, for the HTTP benchmark: users registered here (production
// seeds none), tokens handed to the runner over IPC, event-loop lag and CPU time measured on
// request.
import 'reflect-metadata';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { IntervalHistogram } from 'node:perf_hooks';
import { createBenchDemo } from './bench-demo';
import { answerCpuRequests } from './bench-server-protocol';
import type { ServerCommand, ServerReady } from './bench-server-protocol';

async function main(): Promise<void> {
  // Settings of one benchmark (JSON), e.g. the login storm's limits.
  const settings = JSON.parse(process.env['BENCH_DEMO_ENV'] ?? '{}') as Record<string, string>;
  const { demo, userToken, adminToken } = await createBenchDemo({
    REDIS_KEY_PREFIX: `fastcore-bench:${process.pid}:`,
    ...(process.env['BENCH_REDIS_URL'] ? { REDIS_URL: process.env['BENCH_REDIS_URL'] } : {}),
    ...settings,
  });
  // `BENCH_TRUST_PROXY=1`: the client address is X-Forwarded-For's (the demo itself never
  // trusts it), so that one benchmark can send requests from many addresses.
  if (process.env['BENCH_TRUST_PROXY'] === '1') demo.app.proxy = true;
  const server = demo.app.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const ready: ServerReady = { type: 'ready', port, userToken, adminToken };
    process.send?.(ready);
  });
  answerCpuRequests();
  let histogram: IntervalHistogram | undefined;
  process.on('message', (command: ServerCommand) => {
    if (command.type === 'lag-start') {
      histogram = monitorEventLoopDelay({ resolution: 1 });
      histogram.enable();
    } else if (command.type === 'lag-stop' && histogram) {
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
