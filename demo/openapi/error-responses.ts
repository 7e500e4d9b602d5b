import type { HeaderObject, ResponsesObject, SchemaObject } from 'openapi3-ts';

/** A header an error answer carries: on which occasion, and whether on every such answer. */
interface CarriedHeader {
  on: string;
  always: boolean;
}

type HeaderName = 'WWW-Authenticate' | 'Retry-After';

interface ErrorAnswerFacts {
  meaning: string;
  headers?: Partial<Record<HeaderName, CarriedHeader>>;
}

/**
 * Every error answer an operation of the demo may give, as `"<status> <code>"` (the
 * contract's Errors table): what it means to a client, and the headers the error layer
 * sends with it.
 */
const ERROR_ANSWERS = {
  '400 invalid_request': {
    meaning:
      'The request is malformed: a body that cannot be read, is not an object or fails validation; on an authorized operation, a malformed `Authorization` header too.',
    headers: {
      'WWW-Authenticate': {
        on: 'with `error="invalid_request"` when the library itself refused the request (a malformed `Authorization` header, a body that is not an object)',
        always: false,
      },
    },
  },
  '400 invalid_token': {
    meaning:
      'The link’s token (or the login’s challenge) is malformed, forged, expired, of another purpose, used already, or superseded (the password, the email or the second factor changed since it was issued).',
  },
  '400 invalid_credentials': {
    meaning: 'The current password is wrong; it counts as a failed login.',
  },
  '401 authentication_required': {
    meaning: 'No credentials, or another scheme than Bearer.',
    headers: {
      'WWW-Authenticate': {
        on: 'with no `error` attribute on `authentication_required`',
        always: true,
      },
    },
  },
  '401 invalid_token': {
    meaning: 'The token is malformed, forged, expired, revoked or of the wrong type.',
    headers: {
      'WWW-Authenticate': { on: 'with `error="invalid_token"` on `invalid_token`', always: true },
    },
  },
  '401 invalid_credentials': {
    meaning:
      'Unknown user, wrong password or inactive user: the same answer whichever the cause; or a wrong or spent code of the second factor (it counts as a failed login).',
    headers: {
      'WWW-Authenticate': {
        on: 'with no `error` attribute on `invalid_credentials`',
        always: true,
      },
    },
  },
  '403 insufficient_scope': {
    meaning: 'The token is valid but does not grant access to this resource.',
    headers: {
      'WWW-Authenticate': {
        on: 'with `error="insufficient_scope"` on `insufficient_scope`',
        always: true,
      },
    },
  },
  '403 csrf_failed': {
    meaning:
      'Authenticated by the cookie, the request came from an origin that is not allowed, or without the session’s `X-CSRF-Token`. Nothing changed.',
  },
  '404 not_found': { meaning: 'No such resource.' },
  '409 conflict': {
    meaning:
      'The email is already registered; or the second factor is not in the state the request needs (on already, no enrolment waiting, off).',
  },
  '413 payload_too_large': {
    meaning: 'The request body is too large (the body of any request is read, whatever its route).',
  },
  '415 unsupported_media_type': {
    meaning: 'The request body has a `Content-Encoding` the server does not read.',
  },
  '429 too_many_attempts': {
    meaning: 'Too many failed attempts: the account or the client address is locked for a while.',
    headers: { 'Retry-After': { on: 'until the lock ends', always: true } },
  },
  '503 temporarily_unavailable': {
    meaning:
      'A store the operation needs is unreachable, or password hashing is saturated: try again later.',
    headers: {
      'Retry-After': { on: 'sent only when password hashing is saturated', always: false },
    },
  },
} satisfies Record<string, ErrorAnswerFacts>;

/** An error answer of the contract: `"<status> <code>"`. */
export type ErrorAnswer = keyof typeof ERROR_ANSWERS;

const HEADER_SCHEMAS: Readonly<Record<HeaderName, { title: string; schema: SchemaObject }>> = {
  'WWW-Authenticate': {
    title: 'The RFC 6750 challenge, `Bearer realm="…"`',
    schema: { type: 'string' },
  },
  'Retry-After': {
    title: 'Seconds to wait before trying again',
    schema: { type: 'integer', minimum: 0 },
  },
};

/**
 * The body of every error: the one schema every error response references, naming the codes
 * the document's operations answer.
 */
export function errorResponseSchema(answers: Iterable<ErrorAnswer>): SchemaObject {
  const codes = [...new Set([...answers].map(codeOf))].sort();
  return {
    type: 'object',
    required: ['error', 'error_description'],
    properties: {
      error: {
        type: 'string',
        description: `The error code: ${codes.join(', ')}. Each response lists the codes it carries. Codes may be added: treat an unknown one by its status.`,
      },
      error_description: {
        type: 'string',
        description:
          'A fixed, generic text for the code: never the input, a token or a library message.',
      },
    },
  };
}

const ERROR_BODY = {
  'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } },
};

/**
 * The error responses of one operation, one per status: its codes and their meaning in the
 * description, the `ErrorResponse` body, and the headers the answers carry
 * (`WWW-Authenticate` on every 401 and on 403 `insufficient_scope`, `Retry-After` on 429 and
 * 503), required when every answer of that status carries them.
 */
export function errorResponses(answers: Iterable<ErrorAnswer>): ResponsesObject {
  const byStatus = new Map<string, ErrorAnswer[]>();
  for (const answer of [...new Set(answers)].sort()) {
    const status = answer.slice(0, 3);
    byStatus.set(status, [...(byStatus.get(status) ?? []), answer]);
  }
  const responses: ResponsesObject = {};
  for (const [status, statusAnswers] of byStatus) {
    const headers = carriedHeaders(statusAnswers);
    responses[status] = {
      description: statusAnswers
        .map((answer) => `\`${codeOf(answer)}\`: ${ERROR_ANSWERS[answer].meaning}`)
        .join('\n\n'),
      ...(Object.keys(headers).length === 0 ? {} : { headers }),
      content: ERROR_BODY,
    };
  }
  return responses;
}

function carriedHeaders(answers: readonly ErrorAnswer[]): Record<string, HeaderObject> {
  const headers: Record<string, HeaderObject> = {};
  for (const name of Object.keys(HEADER_SCHEMAS) as HeaderName[]) {
    const carried = answers.map((answer) => headersOf(answer)[name]);
    const occasions = carried.filter((header) => header !== undefined);
    if (occasions.length === 0) continue;
    const { title, schema } = HEADER_SCHEMAS[name];
    headers[name] = {
      description: `${title}, ${occasions.map((header) => header.on).join('; ')}.`,
      required: carried.every((header) => header?.always === true),
      schema,
    };
  }
  return headers;
}

function headersOf(answer: ErrorAnswer): Partial<Record<HeaderName, CarriedHeader>> {
  const facts: ErrorAnswerFacts = ERROR_ANSWERS[answer];
  return facts.headers ?? {};
}

function codeOf(answer: string): string {
  return answer.slice(4);
}
