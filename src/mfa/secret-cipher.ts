import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** HKDF `info`: the key of this use alone, whatever else the key material serves. */
const CIPHER_INFO = 'fastcore-security/totp-secrets/v1';
const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** The sealed text's version: `v1.<iv>.<ciphertext>.<tag>`, each base64url. */
const VERSION = 'v1';

/**
 * Seals TOTP secrets for storage: AES-256-GCM (Node's crypto) under a key derived with HKDF
 * from `TOTP_ENCRYPTION_KEY`, a random IV for each seal, and the owner's user id as associated
 * data, so that a sealed secret copied to another user's row does not open there.
 */
export class SecretCipher {
  private readonly key: Buffer;

  constructor(keyMaterial: string) {
    this.key = Buffer.from(
      hkdfSync('sha256', Buffer.from(keyMaterial, 'utf8'), '', CIPHER_INFO, 32),
    );
  }

  seal(plain: string, owner: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(owner, 'utf8'));
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, iv, sealed, cipher.getAuthTag()]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  /** The plain text, or `null` for anything this key did not seal for `owner`. */
  open(sealed: string, owner: string): string | null {
    const parts = sealed.split('.');
    if (parts.length !== 4 || parts[0] !== VERSION) return null;
    const [iv, text, tag] = parts.slice(1).map((part) => Buffer.from(part, 'base64url'));
    if (iv?.length !== IV_BYTES || tag?.length !== TAG_BYTES || text === undefined) return null;
    try {
      const decipher = createDecipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(owner, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(text), decipher.final()]).toString('utf8');
    } catch {
      return null;
    }
  }
}
