import type { Middleware } from 'koa';
import bodyParser from 'koa-bodyparser';
import { InvalidRequestError } from '../errors/security-errors';
import { exceedsDepth } from './body-depth';

/** Default of `maxBodyDepth`: deeper than any honest request body, far below a stack overflow. */
export const DEFAULT_MAX_BODY_DEPTH = 32;

/**
 * JSON and form bodies up to `limit`, parsed before routing-controllers (whose own
 * koa-bodyparser then skips the request). Every failure to read a body is a client error:
 * an HTTP status of 4xx as the parser gives it (413 too large, 415 unknown encoding), and
 * 400 for anything else (a body that claims gzip but is not, a JSON body that is not an
 * object). Only object bodies are accepted: a top-level array or scalar would reach
 * validation as something other than the declared class. A body nested deeper than
 * `maxDepth` objects and arrays is 400 too, before class-transformer and class-validator
 * recurse into it (a few KB of `[[[…]]]` overflow their stack). Forms are parsed by qs with
 * its own default depth of 5 (deeper brackets stay part of the key), so they stay shallow.
 */
export function bodyParsing(limit: string, maxDepth = DEFAULT_MAX_BODY_DEPTH): Middleware {
  if (!Number.isSafeInteger(maxDepth) || maxDepth < 1) {
    throw new TypeError('maxBodyDepth must be a positive integer');
  }
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
    if (exceedsDepth(body, maxDepth)) throw new InvalidRequestError('body_depth');
    await next();
  };
}

function isClientError(error: unknown): boolean {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}
