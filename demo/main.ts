// `npm run demo`: starts the reference application of demo-contract.md.
import 'reflect-metadata';
import { createServer } from 'node:http';
import { ConfigurationError, hardenHttpServer } from '../src';
import { createDemoApp } from './demo-app';
import { jsonLogger } from './logging/json-logger';

async function main(): Promise<void> {
  const logger = jsonLogger();
  let demo;
  try {
    demo = await createDemoApp({ logger });
  } catch (error) {
    if (error instanceof ConfigurationError) {
      process.stderr.write(`configuration error: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const { app, settings, seeded } = demo;
  if (settings.ephemeralKey) {
    logger.warn('ephemeral_secret_key', {
      message:
        'SECRET_KEY is not set: using a random key for this process only; every token dies with it',
    });
  }
  if (settings.totpKeyIsEphemeral) {
    logger.warn('ephemeral_totp_key', {
      message:
        'TOTP_ENCRYPTION_KEY is not set: second factors enrolled now do not outlive this process',
    });
  }
  const inMemory = [
    ...(demo.stores.users === 'memory' ? ['users'] : []),
    ...(demo.stores.revocation === 'memory' ? ['revocations', 'login throttling'] : []),
  ];
  if (inMemory.length > 0) {
    logger.warn('memory_stores', {
      message: `${inMemory.join(', ')} kept in memory: one process only, lost on restart`,
    });
  }
  if (seeded.length > 0) {
    logger.info('demo_users_created', { emails: seeded, passwords: 'see README.md' });
  }
  // Node's defaults let a slow client hold a connection for 300 s, and answer what Node
  // refuses itself with empty bodies: the library's limits and JSON answers instead.
  const handle = app.callback();
  const server = hardenHttpServer(createServer((req, res) => void handle(req, res)));
  server.listen(settings.PORT, settings.HOST, () => {
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : settings.PORT;
    logger.info('listening', { url: `http://${settings.HOST}:${port}` });
  });
  const stop = () => server.close(() => void demo.close().finally(() => process.exit(0)));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `demo failed to start: ${error instanceof Error ? error.name : 'unknown error'}\n`,
  );
  process.exit(1);
});
