import { createHash } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';

/** RFC 7638 §3.2: the members of a public JWK that its thumbprint covers, in order. */
const REQUIRED_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  RSA: ['e', 'kty', 'n'],
  EC: ['crv', 'kty', 'x', 'y'],
};

/**
 * The RFC 7638 SHA-256 thumbprint of a public key, base64url: a key id that follows from
 * the key itself, so a key keeps its `kid` when it moves from current to previous.
 */
export function jwkThumbprint(publicKey: KeyObject): string {
  const jwk: JsonWebKey = publicKey.export({ format: 'jwk' });
  const members = REQUIRED_MEMBERS[String(jwk.kty)];
  if (members === undefined) throw new TypeError('thumbprints cover RSA and EC keys only');
  const canonical = JSON.stringify(Object.fromEntries(members.map((name) => [name, jwk[name]])));
  return createHash('sha256').update(canonical).digest('base64url');
}
