import 'reflect-metadata';
import type Koa from 'koa';
import { logLine } from './log';
import { untilRedisReady } from './redis-security';

interface Wiring {
  createApp(): Koa;
}

/** Only the chosen wiring's module is loaded: module-level code of the others never runs. */
function loadWiring(name: string | undefined): Promise<Wiring> {
  switch (name) {
    case 'inline':
      return import('./wiring/inline');
    case 'module-level':
      return import('./wiring/module-level');
    case 'split':
      return import('./wiring/split');
    case 'security-first':
      return import('./wiring/security-first');
    case 'manual':
      return import('./wiring/manual');
    case 'late':
      return import('./wiring/late');
    default:
      return Promise.reject(new TypeError('WIRING must name a wiring order'));
  }
}

async function main(): Promise<void> {
  const wiring = process.env['WIRING'];
  const app = (await loadWiring(wiring)).createApp();
  await untilRedisReady();
  const port = Number(process.env['PORT']);
  app.listen(port, '127.0.0.1', () => {
    process.stdout.write(`listening on ${port} (${wiring ?? ''})\n`);
  });
}

main().catch((error: unknown) => {
  // No request has come in yet, so no message can quote input (a configuration error's
  // names the variable and the rule, never the value); no stack.
  logLine(
    'start_failed',
    error instanceof Error ? `${error.name}: ${error.message}` : typeof error,
  );
  process.exit(1);
});
