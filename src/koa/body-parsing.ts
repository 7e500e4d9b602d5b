import type { Middleware } from 'koa';
import bodyParser from 'koa-bodyparser';
import { InvalidRequestError } from '../errors/security-errors';

/**
 * JSON and form bodies up to `limit`, parsed before routing-controllers (whose own
 * koa-bodyparser then skips the request). Every failure to read a body is a client error:
 * an HTTP status of 4xx as the parser gives it (413 too large, 415 unknown encoding), and
 * 400 for anything else (a body that claims gzip but is not, a JSON body that is not an
 * object). Only object bodies are accepted: a top-level array or scalar would reach
 * validation as something other than the declared class.
 */
export function bodyParsing(limit: string): Middleware {
  const parse = bodyParser({
    enableTypes: ['json', 'form'],
    jsonLimit: limit,
    formLimit: limit,
    strict: true,
  });
  return async (ctx, next) => {
    try {
      await parse(ctx, () => Promise.resolve());
    } catch (error) {
      throw isClientError(error) ? error : new InvalidRequestError('body');
    }
    const body: unknown = ctx.request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new InvalidRequestError('body');
    }
    await next();
  };
}

function isClientError(error: unknown): boolean {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}
