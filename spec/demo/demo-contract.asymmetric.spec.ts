import { demoHarness } from '../helpers/demo-harness';
import { testKeyPair } from '../helpers/test-keys';
import { describeDemoContract } from './demo-contract-behaviour';

// The whole contract again with RS256, its keys given through the environment as PEM text
// (no SECRET_KEY used), as issue 7 requires.
describeDemoContract('JWT_ALGORITHM=RS256, keys from the environment', () =>
  demoHarness({
    JWT_ALGORITHM: 'RS256',
    JWT_PRIVATE_KEY: testKeyPair('rsa', 'demo').privatePem,
    JWT_PUBLIC_KEY: testKeyPair('rsa', 'demo').publicPem,
  }),
);
