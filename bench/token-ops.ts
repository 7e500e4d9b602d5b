import { createHmac, createSecretKey } from 'node:crypto';
import { createSigner, createVerifier } from 'fast-jwt';
import jwt from 'jsonwebtoken';
import { BaseAppSettings, TokenService, configureSecurity } from '../src';
import { Container } from 'typedi';
import type { Row } from './stats';
import { interleaved, median } from './stats';

const SECRET = 'bench-secret-key-of-more-than-sixty-four-bytes-for-every-hmac-size!!';
const ROUND_MS = 250;

/** Operations per second of `operation`, run back to back for about `ROUND_MS`. */
async function opsPerSecond(operation: () => unknown): Promise<number> {
  let count = 0;
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(ROUND_MS * 1e6);
  let now = started;
  while (now < deadline) {
    for (let i = 0; i < 50; i += 1) {
      const result = operation();
      if (result instanceof Promise) await result;
    }
    count += 50;
    now = process.hrtime.bigint();
  }
  return count / (Number(now - started) / 1e9);
}

/** Token sign and verify: ours against the floor, jsonwebtoken, fast-jwt and jose, one run. */
export async function tokenOperations(rounds: number): Promise<Row[]> {
  const settings = new BaseAppSettings({ SECRET_KEY: SECRET, NODE_ENV: 'production' });
  const tokens = configureSecurity({ settings }, Container.of('bench-tokens')).get(TokenService);
  const uncachedSettings = new BaseAppSettings({
    SECRET_KEY: SECRET,
    NODE_ENV: 'production',
    VERIFIED_TOKEN_CACHE_SIZE: '0',
  });
  const uncached = configureSecurity(
    { settings: uncachedSettings },
    Container.of('bench-tokens-uncached'),
  ).get(TokenService);
  const token = tokens.createAccessToken({ sub: '42', roles: ['user'] });
  const key = createSecretKey(Buffer.from(SECRET));
  const jose = await import('jose');
  const joseKey = new TextEncoder().encode(SECRET);
  const fastVerify = createVerifier({ key: SECRET, algorithms: ['HS256'] });
  const fastVerifyCached = createVerifier({ key: SECRET, algorithms: ['HS256'], cache: 1000 });
  const fastSign = createSigner({ key: SECRET, algorithm: 'HS256', expiresIn: 1_800_000 });
  const [header, payload, signature] = token.split('.') as [string, string, string];
  // More distinct tokens than the verified-token cache holds, used in turn: every verify
  // of this pool is a first use (a cache miss).
  const pool = Array.from({ length: 20_000 }, (_, i) =>
    tokens.createAccessToken({ sub: String(i), roles: ['user'] }),
  );
  let next = 0;

  const verifiers = {
    'floor (HMAC + base64url + JSON.parse)': () => {
      const expected = createHmac('sha256', key).update(`${header}.${payload}`).digest('base64url');
      if (expected !== signature) throw new Error('bad');
      return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
    },
    '@fastcore/security verify, cache off': () =>
      uncached.verifyAccessToken(pool[(next = (next + 1) % pool.length)]),
    '@fastcore/security verify, cache on, first use (miss)': () =>
      tokens.verifyAccessToken(pool[(next = (next + 1) % pool.length)]),
    '@fastcore/security verify, cache hit': () => tokens.verifyAccessToken(token),
    'jsonwebtoken, KeyObject': () => jwt.verify(token, key, { algorithms: ['HS256'] }),
    'jsonwebtoken, string secret': () => jwt.verify(token, SECRET, { algorithms: ['HS256'] }),
    'fast-jwt': () => fastVerify(token) as unknown,
    'fast-jwt, cache hit': () => fastVerifyCached(token) as unknown,
    'jose (async)': () => jose.jwtVerify(token, joseKey, { algorithms: ['HS256'] }),
  };
  const signers = {
    '@fastcore/security sign': () => tokens.createAccessToken({ sub: '42', roles: ['user'] }),
    'jsonwebtoken sign, KeyObject': () =>
      jwt.sign({ sub: '42', roles: ['user'] }, key, { algorithm: 'HS256', expiresIn: 1800 }),
    'fast-jwt sign': () => fastSign({ sub: '42', roles: ['user'] }),
    'jose sign (async)': () =>
      new jose.SignJWT({ roles: ['user'] })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('42')
        .setIssuedAt()
        .setExpirationTime('30m')
        .sign(joseKey),
  };
  const all = { ...verifiers, ...signers } as Record<string, () => unknown>;
  const names = Object.keys(all);
  for (const name of names) await opsPerSecond(all[name]); // warm-up
  const results = await interleaved(names, rounds, (name) => opsPerSecond(all[name]));
  const floor = median(results.get(names[0]) ?? []);
  const ourSign = median(results.get('@fastcore/security sign') ?? []);
  return names.map((name) => {
    const ops = median(results.get(name) ?? []);
    const isSign = name in signers;
    return {
      operation: name,
      'ops/s (median)': ops,
      ratio: isSign
        ? `${(ops / ourSign).toFixed(2)} of ours`
        : `${(ops / floor).toFixed(2)} of floor`,
    };
  });
}
