import { createHmac } from 'node:crypto';
import { TEST_SECRET_KEY } from './test-environment';

/**
 * Assembles a JWS by hand, for hostile cases a JWT library refuses to produce (alg `none`,
 * `crit`, a claims set that is an array, …). Test-only: the library never does this.
 */
export function forgeToken(
  header: Record<string, unknown>,
  payload: unknown,
  options: {
    key?: string | Buffer;
    hmac?: 'sha256' | 'sha384' | 'sha512';
    signature?: string;
  } = {},
): string {
  const encodedHeader = base64url(JSON.stringify(header));
  const encodedPayload = base64url(typeof payload === 'string' ? payload : JSON.stringify(payload));
  const signingInput = `${encodedHeader}.${encodedPayload}`;
  const signature =
    options.signature ??
    createHmac(options.hmac ?? 'sha256', options.key ?? TEST_SECRET_KEY)
      .update(signingInput)
      .digest('base64url');
  return `${signingInput}.${signature}`;
}

export function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** The claims part of a token, decoded, for assertions on what we issued. */
export function decodePayload(token: string): Record<string, unknown> {
  const [, payload] = token.split('.');
  return JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

export function decodeHeader(token: string): Record<string, unknown> {
  const [header] = token.split('.');
  return JSON.parse(Buffer.from(header ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}
