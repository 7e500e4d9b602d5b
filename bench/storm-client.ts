// A storm of logins of unknown users, or of registrations, in its own process (so that the
// runner's event loop, which times the honest client, is not the one sending the storm):
// autocannon, every request with a new user name, status codes reported over IPC.
import autocannon from 'autocannon';

/**
 * Where the storm's requests say they come from (`X-Forwarded-For`, which the server trusts
 * only with `app.proxy`): nothing (the socket's address), one address for every request (a
 * single host), or a random address of 10.0.0.0/8 for each request (a botnet).
 */
export type StormSource = { type: 'socket' } | { type: 'one'; address: string } | { type: 'many' };

/** What the runner asks for (the child's one message in). */
export interface StormOrder {
  url: string;
  kind: 'login' | 'register';
  connections: number;
  /** How long the storm runs, or with `untilLocked`, how long it runs past its first 429. */
  seconds: number;
  /**
   * The storm is one the limits can lock (from one address): it runs until `seconds` past
   * its first 429, so that the locked storm is measured too, and stops at
   * `MAX_SECONDS_FACTOR × seconds` at the latest.
   */
  untilLocked: boolean;
  source: StormSource;
}

export const MAX_SECONDS_FACTOR = 3;

/**
 * What the child answers: `started` once the storm runs, `throttled` at its first 429 (if
 * any), then `done` with its counts.
 */
export type StormReport =
  | { type: 'started' }
  | { type: 'throttled' }
  | { type: 'done'; requests: number; errors: number; statusCodes: Record<string, number> };

function body(kind: StormOrder['kind'], n: number): string {
  const name = `storm-${process.pid}-${n}@example.com`;
  return kind === 'login'
    ? JSON.stringify({ username: name, password: 'not-the-password' })
    : JSON.stringify({ email: name, password: 'correct horse battery staple' });
}

const octet = () => Math.floor(Math.random() * 256);

/** The `X-Forwarded-For` header of one request, if any. */
function forwardedFor(source: StormSource): Record<string, string> {
  if (source.type === 'one') return { 'x-forwarded-for': source.address };
  if (source.type === 'many') return { 'x-forwarded-for': `10.${octet()}.${octet()}.${octet()}` };
  return {};
}

process.once('message', (order: StormOrder) => {
  let n = 0;
  const instance = autocannon(
    {
      url: order.url,
      connections: order.connections,
      duration: order.seconds * MAX_SECONDS_FACTOR,
      requests: [
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          setupRequest: (request) => ({
            ...request,
            headers: { ...request.headers, ...forwardedFor(order.source) },
            body: body(order.kind, (n += 1)),
          }),
        },
      ],
    },
    (error, result) => {
      clearInterval(ending);
      if (error) throw error;
      const statusCodes: Record<string, number> = {};
      for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) {
        statusCodes[code] = stats.count ?? 0;
      }
      const report: StormReport = {
        type: 'done',
        requests: result.requests.total,
        errors: result.errors + result.timeouts,
        statusCodes,
      };
      process.send?.(report, () => process.exit(0));
    },
  );
  let endAt = Infinity;
  const ending = setInterval(() => {
    if (Date.now() >= endAt) instance.stop();
  }, 50);
  instance.once('start', () => {
    endAt = Date.now() + order.seconds * (order.untilLocked ? MAX_SECONDS_FACTOR : 1) * 1000;
    process.send?.({ type: 'started' } satisfies StormReport);
  });
  let throttled = false;
  instance.on('response', (_client, statusCode) => {
    if (statusCode !== 429 || throttled) return;
    throttled = true;
    if (order.untilLocked) endAt = Math.min(endAt, Date.now() + order.seconds * 1000);
    process.send?.({ type: 'throttled' } satisfies StormReport);
  });
});
