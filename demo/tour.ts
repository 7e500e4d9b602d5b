// A guided run through the library's core, in one process, with nothing configured:
// `npm run demo`. (The HTTP reference application of demo-contract.md replaces this
// with the routing-controllers integration.) It never prints a token, password or hash.
import { randomBytes } from 'node:crypto';
import {
  TokenRevokedError,
  createTokenPair,
  getPasswordHash,
  refreshAccessToken,
  revokeAllUserTokens,
  revokeToken,
  verifyAccessToken,
  verifyPassword,
} from '../src';

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function refused(attempt: Promise<unknown>): Promise<string> {
  try {
    await attempt;
    return 'ACCEPTED (unexpected)';
  } catch (error) {
    return error instanceof TokenRevokedError ? `refused (${error.reason})` : 'refused';
  }
}

async function main(): Promise<void> {
  if (process.env['SECRET_KEY'] === undefined) {
    process.env['SECRET_KEY'] = randomBytes(48).toString('base64url');
    say('WARNING: no SECRET_KEY set; using a random one: tokens die with this process.');
  }
  process.env['BCRYPT_ROUNDS'] ??= '10';

  const hash = await getPasswordHash('user-password');
  say(
    `password hashed with bcrypt; right password verifies: ${await verifyPassword('user-password', hash)}`,
  );
  say(`wrong password verifies: ${await verifyPassword('wrong-password', hash)}`);

  const pair = createTokenPair({ sub: 2, roles: ['user'] });
  const claims = await verifyAccessToken(pair.access_token);
  say(
    `token pair issued (${pair.token_type}, expires_in ${pair.expires_in}s); access token for sub ${claims.sub}, roles ${JSON.stringify(claims['roles'])}`,
  );

  const rotated = await refreshAccessToken(pair.refresh_token);
  say('refresh: the refresh token is spent and a new pair issued');
  say(`the spent refresh token again: ${await refused(refreshAccessToken(pair.refresh_token))}`);
  say(`the new pair after that reuse: ${await refused(verifyAccessToken(rotated.access_token))}`);

  const session = createTokenPair({ sub: 2, roles: ['user'] });
  await revokeToken(session.access_token);
  say(
    `logout: the revoked access token: ${await refused(verifyAccessToken(session.access_token))}`,
  );

  const other = createTokenPair({ sub: 2, roles: ['user'] });
  await revokeAllUserTokens(2);
  say(
    `logout-all: a token issued just before: ${await refused(verifyAccessToken(other.access_token))}`,
  );
  const fresh = createTokenPair({ sub: 2, roles: ['user'] });
  say(
    `logout-all: a token issued just after verifies for sub ${(await verifyAccessToken(fresh.access_token)).sub}`,
  );
}

main().catch((error: unknown) => {
  const code = (error as { code?: string }).code ?? 'ERR_UNKNOWN';
  process.stderr.write(`demo failed: ${code} ${(error as Error).message}\n`);
  process.exitCode = 1;
});
