import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Container } from 'typedi';
import { BaseAppSettings } from '../../src/config/base-app-settings';
import { ConfigurationError } from '../../src/errors/security-errors';
import { MemoryRevocationStore } from '../../src/revocation/memory-revocation-store';
import { configureSecurity } from '../../src/security/configure-security';
import { TokenService } from '../../src/tokens/token-service';
import { RevocationService } from '../../src/revocation/revocation-service';
import { verifyAccessToken } from '../../src/facade/seed-functions';
import { testEnvironment } from '../helpers/test-environment';

describe('seed functions next to an app configured on a scoped container', () => {
  it('reject with a ConfigurationError instead of running on a global container built from defaults', async () => {
    const sharedStore = new MemoryRevocationStore(); // stands in for the app's Redis store
    const app = configureSecurity(
      { settings: new BaseAppSettings(testEnvironment()), revocationStore: sharedStore },
      Container.of(`the-app-${randomUUID()}`),
    );
    const token = app.get(TokenService).createAccessToken({ sub: '42' });
    await app.get(RevocationService).revokeToken(token); // logout, in the app's store
    // Somewhere else (a websocket upgrade, an admin script) the documented functions are used:
    const outcome = await verifyAccessToken(token).then(
      () => 'accepted a revoked token',
      (e: unknown) => (e instanceof ConfigurationError ? 'ConfigurationError' : String(e)),
    );
    expect(outcome).to.equal('ConfigurationError');
  });

  it('reject too when a seed function built the global container before the app configured its own', async function () {
    // A fresh process: the suite's other specs configure scoped containers of their own.
    const script = `
      require('reflect-metadata');
      const { Container } = require('typedi');
      const security = require('./src');
      (async () => {
        await security.getPasswordHash('correct horse battery'); // builds the global from env
        security.configureSecurity({ settings: new security.BaseAppSettings() }, Container.of('app'));
        try {
          await security.getPasswordHash('correct horse battery');
          console.log('served defaults');
        } catch (error) {
          console.log(error instanceof security.ConfigurationError ? 'ConfigurationError' : String(error));
        }
      })();
    `;
    const { stdout } = await runNode(script);
    expect(stdout.trim()).to.equal('ConfigurationError');
  });
});

function runNode(script: string): Promise<{ stdout: string }> {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-e', script],
      { cwd: process.cwd(), env: { ...process.env, ...testEnvironment(), BCRYPT_ROUNDS: '4' } },
      (error, stdout) => {
        if (error === null) done({ stdout });
        else fail(new Error(`the script failed: ${error.message}`));
      },
    );
  });
}
