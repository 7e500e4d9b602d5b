import { randomUUID } from 'node:crypto';
import type { FrozenClock } from './frozen-clock';

/**
 * The claims of a valid access token issued now, with overrides (`undefined` removes one).
 * An `iat` given without `iat_ms` moves `iat_ms` with it, as the signer keeps them.
 */
export function accessClaims(
  clock: FrozenClock,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const claims: Record<string, unknown> = {
    sub: '42',
    type: 'access',
    jti: randomUUID(),
    iat: clock.seconds,
    iat_ms:
      typeof overrides['iat'] === 'number' && !('iat_ms' in overrides)
        ? overrides['iat'] * 1000 + (clock.now() % 1000)
        : clock.now(),
    exp: clock.seconds + 1800,
    roles: ['user'],
    ...overrides,
  };
  for (const key of Object.keys(claims)) if (claims[key] === undefined) delete claims[key];
  return claims;
}
