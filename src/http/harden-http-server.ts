import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { clientErrorResponse, clientErrorStatus } from './client-error-response';

/** Options of `hardenHttpServer`: every duration in milliseconds. */
export interface HttpServerLimits {
  /** Time to receive a whole request, headers and body. Default 30,000 (Node's: 300,000). */
  requestTimeoutMs?: number;
  /** Time to receive a request's headers; at most `requestTimeoutMs`. Default 10,000 (Node's: 60,000). */
  headersTimeoutMs?: number;
  /** How long an idle keep-alive connection waits for its next request. Default 5,000. */
  keepAliveTimeoutMs?: number;
  /**
   * Inactivity after which a socket is closed, whatever it is doing (e.g. a client that stops
   * reading an answer). Default 120,000; 0 for none (Node's default).
   */
  socketTimeoutMs?: number;
  /**
   * How often Node looks for requests past `headersTimeoutMs` or `requestTimeoutMs` (its
   * default is 30,000, so a timeout is late by up to that much). Default: a quarter of the
   * shorter timeout, at most 1,000.
   */
  checkIntervalMs?: number;
}

const DEFAULTS = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  socketTimeoutMs: 120_000,
} as const;

const HARDENED = Symbol('fastcore.security.hardened-server');

/** Sockets already answered: the parser may report more than one error for a socket. */
const ANSWERED = new WeakSet<Duplex>();

/** How long a socket may take to flush its error answer before it is destroyed anyway. */
const FLUSH_MS = 1_000;

/**
 * Bounds how long a client may hold a connection of `server` (a slowly sent body or header
 * no longer holds it for Node's 300 s), and answers what Node refuses before the app sees a
 * request (a malformed request line 400, headers over the size limit 431, a request not
 * received in time 408) with the contract's JSON error body and `Connection: close`, instead
 * of Node's empty bodies. Call it before the server listens. The header size limit itself is
 * Node's `maxHeaderSize` (16 KiB), an option of `http.createServer`.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * const handle = app.callback();
 * const server = hardenHttpServer(createServer((req, res) => void handle(req, res)), {
 *   requestTimeoutMs: 20_000,
 * });
 * server.listen(3000);
 * ```
 * @throws TypeError for a limit that is not a non-negative integer, a headers timeout longer
 *   than the request timeout, a server that already listens or was already hardened.
 */
export function hardenHttpServer<S extends HttpServer | HttpsServer>(
  server: S,
  limits: HttpServerLimits = {},
): S {
  const requestTimeout = milliseconds('requestTimeoutMs', limits.requestTimeoutMs, 1);
  const headersTimeout = milliseconds('headersTimeoutMs', limits.headersTimeoutMs, 1);
  const keepAliveTimeout = milliseconds('keepAliveTimeoutMs', limits.keepAliveTimeoutMs, 1);
  const socketTimeout = milliseconds('socketTimeoutMs', limits.socketTimeoutMs, 0);
  if (headersTimeout > requestTimeout) {
    throw new TypeError('headersTimeoutMs must not be longer than requestTimeoutMs');
  }
  const checkInterval =
    limits.checkIntervalMs === undefined
      ? Math.max(1, Math.min(1_000, Math.floor(headersTimeout / 4)))
      : milliseconds('checkIntervalMs', limits.checkIntervalMs, 1);
  const marked = server as unknown as Record<typeof HARDENED, boolean | undefined>;
  if (marked[HARDENED] === true) throw new TypeError('the server is already hardened');
  // Node starts the timeout checks when the server starts listening, at the interval it has then.
  if (server.listening) throw new TypeError('call hardenHttpServer before the server listens');
  marked[HARDENED] = true;
  server.requestTimeout = requestTimeout;
  server.headersTimeout = headersTimeout;
  server.keepAliveTimeout = keepAliveTimeout;
  server.timeout = socketTimeout;
  (server as { connectionsCheckingInterval?: number }).connectionsCheckingInterval = checkInterval;
  server.on('clientError', answerClientError);
  return server;
}

function milliseconds(name: string, value: number | undefined, min: number): number {
  const chosen = value ?? DEFAULTS[name as keyof typeof DEFAULTS];
  if (!Number.isSafeInteger(chosen) || chosen < min) {
    throw new TypeError(`${name} must be an integer of at least ${min}`);
  }
  return chosen;
}

/**
 * Node's `clientError`: answer, unless the client is gone or an answer of the app has begun
 * on this socket (bytes of ours would corrupt it), then close.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (ANSWERED.has(socket)) return;
  ANSWERED.add(socket);
  const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent === true) {
    socket.destroy();
    return;
  }
  socket.end(clientErrorResponse(clientErrorStatus(error.code)), () => socket.destroy());
  setTimeout(() => socket.destroy(), FLUSH_MS).unref();
}
