import type { IncomingMessage } from 'node:http';

/**
 * A request as Node's parser leaves it for `readBearerToken`: `rawHeaders` holding one
 * `Authorization` header per value (names in varying case, as clients send them), between
 * other headers.
 */
export function authorizationRequest(values: readonly string[]): IncomingMessage {
  const names = ['Authorization', 'authorization', 'AUTHORIZATION'];
  return {
    rawHeaders: [
      'Host',
      'api.example.test',
      ...values.flatMap((value, i) => [names[i % names.length], value]),
      'X-Authorization',
      'Bearer not-this-one',
      'Accept',
      '*/*',
    ],
  } as unknown as IncomingMessage;
}
