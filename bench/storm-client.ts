// A storm of logins of unknown users, or of registrations, in its own process (so that the
// runner's event loop, which times the honest client, is not the one sending the storm):
// autocannon, every request with a new user name, status codes reported over IPC.
import autocannon from 'autocannon';

/** What the runner asks for (the child's one message in). */
export interface StormOrder {
  url: string;
  kind: 'login' | 'register';
  connections: number;
  seconds: number;
}

/** What the child answers: `started` once the storm runs, then `done` with its counts. */
export type StormReport =
  | { type: 'started' }
  | { type: 'done'; requests: number; errors: number; statusCodes: Record<string, number> };

function body(kind: StormOrder['kind'], n: number): string {
  const name = `storm-${process.pid}-${n}@example.com`;
  return kind === 'login'
    ? JSON.stringify({ username: name, password: 'not-the-password' })
    : JSON.stringify({ email: name, password: 'correct horse battery staple' });
}

process.once('message', (order: StormOrder) => {
  let n = 0;
  const instance = autocannon(
    {
      url: order.url,
      connections: order.connections,
      duration: order.seconds,
      requests: [
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          setupRequest: (request) => ({ ...request, body: body(order.kind, (n += 1)) }),
        },
      ],
    },
    (error, result) => {
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
  instance.once('start', () => process.send?.({ type: 'started' } satisfies StormReport));
});
