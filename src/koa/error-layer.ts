import type { Context, Middleware } from 'koa';
import type { ErrorReporter } from '../logging/error-reporter';
import { stderrErrorReporter } from '../logging/error-reporter';
import type { HttpProblem } from './http-problem';
import { problem, problemForCode, toHttpProblem } from './http-problem';
import { restoreKeptHeaders } from './error-kept-headers';

/** Options of `securityErrorLayer`. */
export interface ErrorLayerOptions {
  /** The `realm` of `WWW-Authenticate` challenges. Default `"api"`. */
  realm?: string;
  /**
   * Told of every error answered with 500 (a defect), e.g. to log it. It receives the error
   * itself: log its name and stack, not its message, if it may quote input. Default: one
   * JSON line on stderr (`stderrErrorReporter`) with the error's name, message and stack.
   */
  onServerError?: (error: unknown, ctx: Context) => void;
}

/** Set on every request that passed through the error layer: checkers refuse to run without it. */
const ANSWERED_BY_LAYER = Symbol('fastcore.security.error-layer');

/** Whether a request passed through `securityErrorLayer` (so its errors cannot leak). */
export function hasErrorLayer(ctx: Context): boolean {
  return (ctx.state as Record<symbol, unknown>)[ANSWERED_BY_LAYER] === true;
}

/** The default `onServerError`: the error, to a reporter. */
function reportTo(reporter: ErrorReporter): (error: unknown) => void {
  return (error) => reporter('server_error', error);
}

/** Bodies `send` wrote: any other error body came from another handler. */
const OURS = new WeakSet<object>();

/** Headers an error answer keeps: a browser needs CORS to read it. */
const KEPT_HEADER = /^(allow|vary|retry-after|access-control-.*)$/i;

const REALM = /^[\x20-\x7e]{1,64}$/;

/**
 * The one place where errors become HTTP responses, for development and production alike:
 * `{"error", "error_description"}` with fixed text, the contract's status, and an RFC 6750
 * `WWW-Authenticate: Bearer realm="…"[, error="…"]` challenge on 401 and 403. No stack, no
 * library message, no input is ever echoed. Also answers unmatched routes (404) and wrong
 * methods (405) in the same shape. Register it first, before anything that may throw.
 */
export function securityErrorLayer(
  options: ErrorLayerOptions = {},
  reporter: ErrorReporter = stderrErrorReporter,
): Middleware {
  const realm = options.realm ?? 'api';
  const report = options.onServerError ?? reportTo(reporter);
  // A reporter that throws must not turn an answer into Koa's own (with its stack on stderr).
  const onServerError = (error: unknown, ctx: Context): void => {
    try {
      report(error, ctx);
    } catch {
      // Nothing more to do: the answer stays the generic one.
    }
  };
  if (!REALM.test(realm) || realm.includes('"') || realm.includes('\\')) {
    throw new TypeError(
      'realm must be 1 to 64 printable ASCII characters without quotes or backslashes',
    );
  }
  return async (ctx, next) => {
    (ctx.state as Record<symbol, unknown>)[ANSWERED_BY_LAYER] = true;
    try {
      await next();
      const foreign = foreignErrorAnswer(ctx.status, ctx.body);
      if (foreign !== undefined) {
        // Another error handler (routing-controllers' own, when defaultErrorHandler is on)
        // answered: its body may carry the error's fields, message and stack.
        if (foreign.status === 500) {
          onServerError(new Error('an error handler other than securityErrorLayer answered'), ctx);
        }
        send(ctx, foreign, realm, true);
      }
      if (ctx.status === 404 && isEmpty(ctx.body)) send(ctx, problem(404, 'not_found'), realm);
      // @koa/router answers a method it does not know (TRACE, PROPFIND) with 501: a client
      // error all the same.
      if ((ctx.status === 405 || ctx.status === 501) && isEmpty(ctx.body)) {
        send(ctx, problem(405, 'method_not_allowed'), realm);
      }
    } catch (error) {
      const answer = toHttpProblem(error);
      if (answer.status >= 500 && answer.status !== 503) onServerError(error, ctx);
      send(ctx, answer, realm, true);
    }
  };
}

function send(ctx: Context, answer: HttpProblem, realm: string, resetHeaders = false): void {
  if (resetHeaders) {
    // Headers an action set before failing (a cookie, a location) do not survive its error.
    for (const name of Object.keys(ctx.response.headers)) {
      if (!KEPT_HEADER.test(name)) ctx.remove(name);
    }
    restoreKeptHeaders(ctx);
  }
  ctx.status = answer.status;
  const body = { error: answer.error, error_description: answer.description };
  OURS.add(body);
  ctx.body = body;
  if (answer.challenge !== undefined) {
    const attribute = answer.challenge === '' ? '' : `, error="${answer.challenge}"`;
    ctx.set('WWW-Authenticate', `Bearer realm="${realm}"${attribute}`);
  }
  if (answer.retryAfter !== undefined) ctx.set('Retry-After', String(answer.retryAfter));
  ctx.set('Cache-Control', 'no-store');
}

/**
 * The answer to give instead of an error body another handler wrote, recognised by the
 * shapes routing-controllers' own handler gives: a library error's `toJSON()` (exactly
 * `code` and `message`) by its code, a serialized error (`name` and `stack`, or a stack as
 * text) by its status, and any other body at 500. `undefined` for everything else: the
 * application's own deliberate answers, an `ERR_…` code or a `stack` field of its own
 * included.
 */
function foreignErrorAnswer(status: number, body: unknown): HttpProblem | undefined {
  if (status < 400 || isEmpty(body)) return undefined;
  if (typeof body === 'object' && body !== null) {
    if (OURS.has(body)) return undefined;
    if (isLibraryErrorJson(body)) return problemForCode(body.code);
    const { name, stack } = body as { name?: unknown; stack?: unknown };
    if (typeof name === 'string' && typeof stack === 'string') return toHttpProblem({ status });
  }
  if (typeof body === 'string' && STACK_TEXT.test(body)) return toHttpProblem({ status });
  return status === 500 ? problem(500, 'server_error') : undefined;
}

/** A stack trace as text: a first line, then `    at …` frames. */
const STACK_TEXT = /^[^\n]*\n\s+at \S/;

/** Exactly what a library error's `toJSON()` gives. */
function isLibraryErrorJson(body: object): body is { code: string; message: string } {
  const keys = Object.keys(body);
  const { code, message } = body as { code?: unknown; message?: unknown };
  return (
    keys.length === 2 &&
    typeof code === 'string' &&
    typeof message === 'string' &&
    problemForCode(code) !== undefined
  );
}

function isEmpty(body: unknown): boolean {
  return body === undefined || body === null || body === '';
}
