import { createHmac } from 'node:crypto';
import type { BaseAppSettings } from '../config/base-app-settings';
import { derivedKey } from '../keys/derived-key';

/** HKDF's `info`: a key for this use only, unrelated to the signing key it comes from. */
const INFO = 'fastcore-security/throttle-keys/v1';

/**
 * Names for throttling counters and the audit trail that hold no login name or address:
 * HMAC-SHA256 under a key derived (HKDF-SHA256) from the configured signing key (the HMAC
 * secret, or the private key of RS*, PS* and ES*). An unsalted hash of a login name is
 * reversed by a dictionary of usernames or emails; an HMAC is not, without the key. Every
 * instance configured with the same signing key derives the same key, so counters in Redis
 * stay shared; changing the signing key starts the counters afresh.
 */
export class ThrottleKeys {
  private readonly key: Buffer;

  constructor(settings: BaseAppSettings) {
    this.key = derivedKey(settings, INFO);
  }

  /** A fixed-length, URL-safe name for `value` within `scope` (scopes never collide). */
  of(scope: string, value: string): string {
    return createHmac('sha256', this.key)
      .update(scope, 'utf8')
      .update('\0', 'utf8')
      .update(value, 'utf8')
      .digest('base64url');
  }
}
