import type { KeyObject } from 'node:crypto';
import { hkdfSync } from 'node:crypto';
import type { BaseAppSettings } from '../config/base-app-settings';

/**
 * A 32-byte key for one use (`info`), derived with HKDF-SHA256 from the configured signing
 * key (the HMAC secret, or the private key of RS*, PS* and ES*): unrelated to the signing key
 * and to the keys of other uses, and equal on every instance configured with the same key.
 */
export function derivedKey(settings: BaseAppSettings, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', keyMaterial(settings.jwtKeys.signingKey), '', info, 32));
}

function keyMaterial(key: KeyObject): Buffer {
  return key.type === 'secret' ? key.export() : key.export({ format: 'der', type: 'pkcs8' });
}
