import { expect } from 'chai';
import {
  BadRequestError,
  ForbiddenError as HttpForbiddenError,
  NotFoundError,
  UnauthorizedError,
} from 'routing-controllers';
import {
  AuthenticationRequiredError,
  ForbiddenError,
  InvalidCredentialsError,
  InvalidRequestError,
  PasswordPolicyError,
  StoreUnavailableError,
  TokenExpiredError,
  TokenRevokedError,
} from '../../src/errors/security-errors';
import { toHttpProblem } from '../../src/koa/http-problem';

describe('toHttpProblem', () => {
  const cases: [unknown, number, string, string | undefined][] = [
    [new TokenExpiredError(), 401, 'invalid_token', 'invalid_token'],
    [new TokenRevokedError(), 401, 'invalid_token', 'invalid_token'],
    [new AuthenticationRequiredError(), 401, 'authentication_required', ''],
    [new UnauthorizedError(), 401, 'authentication_required', ''],
    [new InvalidCredentialsError(), 401, 'invalid_credentials', ''],
    [new InvalidRequestError(), 400, 'invalid_request', 'invalid_request'],
    [
      new PasswordPolicyError('too_short', 'The password must be at least 8 characters.'),
      400,
      'invalid_request',
      undefined,
    ],
    [new BadRequestError('secret detail'), 400, 'invalid_request', undefined],
    [new ForbiddenError(), 403, 'insufficient_scope', 'insufficient_scope'],
    [new HttpForbiddenError(), 403, 'insufficient_scope', 'insufficient_scope'],
    [new NotFoundError(), 404, 'not_found', undefined],
    [
      Object.assign(new Error('request entity too large'), { status: 413 }),
      413,
      'payload_too_large',
      undefined,
    ],
    [Object.assign(new Error('teapot'), { status: 418 }), 418, 'invalid_request', undefined],
    [new StoreUnavailableError(), 503, 'temporarily_unavailable', undefined],
    [new Error('connect ECONNREFUSED'), 500, 'server_error', undefined],
    [Object.assign(new Error('db down'), { status: 502 }), 500, 'server_error', undefined],
    ['a thrown string', 500, 'server_error', undefined],
    [null, 500, 'server_error', undefined],
  ];

  for (const [error, status, code, challenge] of cases) {
    it(`${String((error as Error)?.constructor?.name ?? error)} → ${status} ${code}`, () => {
      const answer = toHttpProblem(error);
      expect(answer.status).to.equal(status);
      expect(answer.error).to.equal(code);
      expect(answer.challenge).to.equal(challenge);
      expect(answer.description).not.to.match(/secret|ECONNREFUSED|teapot|too large$/);
    });
  }
});
