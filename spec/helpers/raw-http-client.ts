import { connect } from 'node:net';

/** What a raw client saw: the status line, headers (lower-case names), body, and when it closed. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Milliseconds from the connection to its close by the server. */
  closedAfterMs: number;
}

/**
 * Opens a TCP connection, writes `first`, then each of `trickle` every `everyMs` (a slow
 * client) until the server closes the connection; resolves with what the server sent.
 * Gives up (rejects) after `giveUpMs`, so that a server that never closes fails the spec.
 */
export function rawRequest(
  port: number,
  first: string,
  options: { trickle?: string[]; everyMs?: number; giveUpMs?: number } = {},
): Promise<RawAnswer> {
  const { trickle = [], everyMs = 100, giveUpMs = 10_000 } = options;
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server did not close the connection within ${giveUpMs} ms`));
    }, giveUpMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined); // a reset after the answer is a close too
    socket.on('close', () => {
      clearTimeout(giveUp);
      clearInterval(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({
        status: Number(statusLine.split(' ')[1] ?? 0),
        headers,
        body: rest.join('\r\n\r\n'),
        closedAfterMs: Date.now() - started,
      });
    });
    socket.on('connect', () => {
      socket.write(first);
      const pending = [...trickle];
      timer = setInterval(() => {
        const next = pending.shift();
        if (next === undefined || socket.destroyed) return clearInterval(timer);
        socket.write(next);
      }, everyMs);
    });
  });
}
