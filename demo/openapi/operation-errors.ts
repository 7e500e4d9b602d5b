import type { ErrorAnswer } from './error-responses';
import type { OperationFacts } from './operation-facts';
import type { OperationEntry } from './operation-table';

/** One operation, as the document builder sees it. */
export interface OperationShape {
  /** The HTTP method, in lower case (as OpenAPI paths key it). */
  method: string;
  facts: OperationFacts;
  entry: OperationEntry;
  /** Whether the app serves the cookie transport. */
  cookies: boolean;
}

/**
 * The body of any request is parsed before routing (`configureApp`'s body parsing), whatever
 * the route and the method: these answers can come from every operation.
 */
const BODY_PARSER_ANSWERS: readonly ErrorAnswer[] = [
  '400 invalid_request',
  '413 payload_too_large',
  '415 unsupported_media_type',
];

const STATE_CHANGING = new Set(['post', 'put', 'patch', 'delete']);

/**
 * The CSRF check an operation runs on a cookie-authenticated request: the table's for public
 * cookie routes; `token` for a state-changing authorized one when the cookie transport is on.
 */
export function csrfCheckOf(operation: OperationShape): 'origin' | 'token' | undefined {
  if (operation.entry.csrf !== undefined) return operation.entry.csrf;
  const authorized = operation.facts.roles !== undefined;
  return operation.cookies && authorized && STATE_CHANGING.has(operation.method)
    ? 'token'
    : undefined;
}

/** Every error answer of one operation: those derived from its metadata, then its own. */
export function operationErrors(operation: OperationShape): ErrorAnswer[] {
  const { roles } = operation.facts;
  const { usesStore, errors = [] } = operation.entry;
  const answers: ErrorAnswer[] = [...BODY_PARSER_ANSWERS];
  if (usesStore !== false) answers.push('503 temporarily_unavailable');
  if (roles !== undefined) answers.push('401 authentication_required', '401 invalid_token');
  if (roles !== undefined && roles.length > 0) answers.push('403 insufficient_scope');
  if (csrfCheckOf(operation) !== undefined) answers.push('403 csrf_failed');
  return [...answers, ...errors];
}
