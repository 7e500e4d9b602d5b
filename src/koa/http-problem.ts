import { SecurityError, ServerBusyError, TooManyAttemptsError } from '../errors/security-errors';

/** An error response of the contract: status, `error` code, fixed description, challenge. */
export interface HttpProblem {
  status: number;
  error: string;
  description: string;
  /** The RFC 6750 `error` attribute of `WWW-Authenticate`; `''` for a bare challenge. */
  challenge?: string;
  /** Seconds for a `Retry-After` header. */
  retryAfter?: number;
}

/** The fixed, generic text of each error code. Nothing from the request goes in a body. */
export const ERROR_DESCRIPTIONS: Readonly<Record<string, string>> = {
  authentication_required: 'Authentication is required.',
  invalid_token: 'The token is invalid, expired or revoked.',
  insufficient_scope: 'The token does not grant access to this resource.',
  csrf_failed: 'The request failed the cross-site request forgery check.',
  invalid_credentials: 'Invalid username or password.',
  mfa_required: 'A second factor is required.',
  invalid_request: 'The request is invalid.',
  conflict: 'The resource already exists.',
  payload_too_large: 'The request body is too large.',
  headers_too_large: 'The request headers are too large.',
  request_timeout: 'The request was not received in time.',
  unsupported_media_type: 'The request body has an unsupported media type.',
  not_found: 'Not found.',
  method_not_allowed: 'Method not allowed.',
  too_many_attempts: 'Too many failed attempts. Try again later.',
  temporarily_unavailable: 'The service is temporarily unavailable. Try again later.',
  server_error: 'The server could not handle the request.',
};

/** The problem for an error code, with its fixed description. */
export function problem(status: number, error: string, challenge?: string): HttpProblem {
  const description = ERROR_DESCRIPTIONS[error] ?? ERROR_DESCRIPTIONS['server_error'] ?? '';
  return challenge === undefined
    ? { status, error, description }
    : { status, error, description, challenge };
}

/** Status codes of errors thrown by Koa, koa-bodyparser and routing-controllers' HttpErrors. */
const BY_STATUS: Readonly<Record<number, HttpProblem>> = {
  400: problem(400, 'invalid_request'),
  401: problem(401, 'authentication_required', ''),
  403: problem(403, 'insufficient_scope', 'insufficient_scope'),
  404: problem(404, 'not_found'),
  405: problem(405, 'method_not_allowed'),
  408: problem(408, 'request_timeout'),
  409: problem(409, 'conflict'),
  413: problem(413, 'payload_too_large'),
  415: problem(415, 'unsupported_media_type'),
  431: problem(431, 'headers_too_large'),
  503: problem(503, 'temporarily_unavailable'),
};

/** The answer to each library error, by its fixed `code`. */
const BY_CODE: Readonly<Record<string, HttpProblem>> = {
  ERR_TOKEN_INVALID: problem(401, 'invalid_token', 'invalid_token'),
  ERR_TOKEN_EXPIRED: problem(401, 'invalid_token', 'invalid_token'),
  ERR_TOKEN_REVOKED: problem(401, 'invalid_token', 'invalid_token'),
  ERR_TOKEN_WRONG_TYPE: problem(401, 'invalid_token', 'invalid_token'),
  ERR_ACCOUNT_TOKEN_INVALID: problem(400, 'invalid_token'),
  ERR_AUTHENTICATION_REQUIRED: problem(401, 'authentication_required', ''),
  ERR_INVALID_CREDENTIALS: problem(401, 'invalid_credentials', ''),
  ERR_CURRENT_PASSWORD: problem(400, 'invalid_credentials'),
  ERR_INVALID_REQUEST: problem(400, 'invalid_request', 'invalid_request'),
  ERR_PASSWORD_POLICY: problem(400, 'invalid_request'),
  ERR_FORBIDDEN: problem(403, 'insufficient_scope', 'insufficient_scope'),
  ERR_CSRF: problem(403, 'csrf_failed'),
  ERR_ALREADY_REGISTERED: problem(409, 'conflict'),
  ERR_SECOND_FACTOR_STATE: problem(409, 'conflict'),
  ERR_SECOND_FACTOR_REQUIRED: problem(401, 'mfa_required', ''),
  ERR_SESSION_NOT_FOUND: problem(404, 'not_found'),
  ERR_ROUTE_NOT_SERVED: problem(404, 'not_found'),
  ERR_TOO_MANY_ATTEMPTS: problem(429, 'too_many_attempts'),
  ERR_STORE_UNAVAILABLE: problem(503, 'temporarily_unavailable'),
  ERR_SERVER_BUSY: problem(503, 'temporarily_unavailable'),
};

/** The answer to a library error's `code` (as its `toJSON()` gives it); `undefined` for others. */
export function problemForCode(code: unknown): HttpProblem | undefined {
  return typeof code === 'string' && Object.hasOwn(BY_CODE, code) ? BY_CODE[code] : undefined;
}

/**
 * Maps any thrown value to the contract's error response. Library errors by their code;
 * other errors by their HTTP status (routing-controllers' `httpCode`, Koa's `status`);
 * anything else is a defect: 500 `server_error`, with nothing of the error in the response.
 */
export function toHttpProblem(error: unknown): HttpProblem {
  if (error instanceof SecurityError) {
    const answer = problemForCode(error.code) ?? problem(500, 'server_error');
    return error instanceof TooManyAttemptsError || error instanceof ServerBusyError
      ? { ...answer, retryAfter: error.retryAfterSeconds }
      : answer;
  }
  const status = httpStatusOf(error);
  if (status !== undefined && status >= 400 && status < 500) {
    return BY_STATUS[status] ?? problem(status, 'invalid_request');
  }
  return problem(500, 'server_error');
}

function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { httpCode, status, statusCode } = error as Record<string, unknown>;
  const value = httpCode ?? status ?? statusCode;
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}
