/**
 * Coded errors. Each failure has its own class with a fixed `code` and a fixed, generic
 * `message`: nothing from the token, the payload, the password or a library ever goes into
 * one, so an error can be logged or mapped to HTTP (at the koa/ edge) without leaking.
 *
 * Misuse of the API (a number where a string is required, an unknown option) throws a
 * plain `TypeError` instead.
 */
export abstract class SecurityError extends Error {
  /** Stable machine-readable code, e.g. `ERR_TOKEN_EXPIRED`. */
  abstract readonly code: string;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }

  /** Only the code and the fixed message: never a stack, a cause or extra fields. */
  toJSON(): { code: string; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** The token is malformed, forged, of a wrong algorithm, or has missing or bad claims. */
export class InvalidTokenError extends SecurityError {
  readonly code: string = 'ERR_TOKEN_INVALID';
  /**
   * @param reason short fixed identifier of the rule that failed (`signature`,
   *   `claim_missing`, …): for logs and tests, never shown to clients.
   * @param claim the claim name when a claim rule failed.
   */
  constructor(
    readonly reason: string = 'invalid',
    readonly claim?: string,
    message = 'The token is invalid.',
  ) {
    super(message);
  }
}

/** The token was valid but its `exp` has passed. */
export class TokenExpiredError extends InvalidTokenError {
  override readonly code = 'ERR_TOKEN_EXPIRED';
  constructor() {
    super('expired', 'exp', 'The token has expired.');
  }
}

/** The token was revoked (logout, logout-all, password change, refresh reuse). */
export class TokenRevokedError extends InvalidTokenError {
  override readonly code = 'ERR_TOKEN_REVOKED';
  constructor(reason: 'revoked' | 'refresh_reuse' | 'session_ended' = 'revoked') {
    super(reason, undefined, 'The token has been revoked.');
  }
}

/** An access token where a refresh token was expected, or the reverse. */
export class WrongTokenTypeError extends InvalidTokenError {
  override readonly code = 'ERR_TOKEN_WRONG_TYPE';
  constructor() {
    super('wrong_type', 'type', 'The token is not of the expected type.');
  }
}

/**
 * An account link's token (email verification, password reset) that is malformed, forged,
 * expired, of another purpose, already used, or superseded (the password or the email changed
 * since it was sent): 400 `invalid_token`, one answer for every cause.
 */
export class InvalidAccountTokenError extends SecurityError {
  readonly code = 'ERR_ACCOUNT_TOKEN_INVALID';
  /** @param reason the rule that failed, for logs and tests; never shown to clients. */
  constructor(readonly reason: string = 'invalid') {
    super('The link is invalid, expired or already used.');
  }
}

/**
 * Reported (never thrown to a client) when the application's delivery of an account mail
 * failed, or when the mail was dropped because too many were waiting
 * (`ACCOUNT_MAIL_MAX_QUEUED`). The message names the mail's kind and the delivery error's
 * name, never the mail's token or address.
 */
export class AccountMailError extends SecurityError {
  readonly code = 'ERR_ACCOUNT_MAIL';
  constructor(
    readonly kind: string,
    readonly reason: 'delivery_failed' | 'queue_full',
    /** The delivery's own error (its message with the token taken out), when it failed. */
    override readonly cause?: Error,
  ) {
    super(
      reason === 'queue_full'
        ? `An account mail (${kind}) was dropped: too many mails are waiting for delivery.`
        : `An account mail (${kind}) could not be delivered${cause ? `: ${cause.name}: ${cause.message}` : '.'}`,
    );
    if (cause?.stack !== undefined)
      this.stack = `${this.stack ?? this.message}\ncaused by ${cause.stack}`;
  }
}

/** No credentials: no `Authorization` header, or another scheme than Bearer. */
export class AuthenticationRequiredError extends SecurityError {
  readonly code = 'ERR_AUTHENTICATION_REQUIRED';
  constructor() {
    super('Authentication is required.');
  }
}

/** A malformed request: an unusable `Authorization` header, a body that fails validation. */
export class InvalidRequestError extends SecurityError {
  readonly code = 'ERR_INVALID_REQUEST';
  constructor(readonly reason: string = 'invalid_request') {
    super('The request is invalid.');
  }
}

/** Unknown user, wrong password or inactive user: one error for all three, on purpose. */
export class InvalidCredentialsError extends SecurityError {
  readonly code = 'ERR_INVALID_CREDENTIALS';
  constructor() {
    super('Invalid username or password.');
  }
}

/**
 * The current password given to confirm a sensitive change (a new password) is wrong. Not
 * an authentication failure of the request, which carried a valid token.
 */
export class CurrentPasswordError extends SecurityError {
  readonly code = 'ERR_CURRENT_PASSWORD';
  constructor() {
    super('The current password is wrong.');
  }
}

/** Authenticated, but without a role or permission the operation requires. */
export class ForbiddenError extends SecurityError {
  readonly code = 'ERR_FORBIDDEN';
  constructor() {
    super('Insufficient permissions.');
  }
}

/** A password that the policy refuses (too short, too long, not a string). */
export class PasswordPolicyError extends SecurityError {
  readonly code = 'ERR_PASSWORD_POLICY';
  constructor(
    readonly reason: 'not_a_string' | 'too_short' | 'too_long',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Bad configuration, found once at start. The message names the variable and the rule and
 * never contains the value (it may be a secret).
 */
export class ConfigurationError extends SecurityError {
  readonly code = 'ERR_CONFIGURATION';
  constructor(
    readonly variable: string,
    rule: string,
  ) {
    super(`${variable} ${rule}`);
  }
}

/**
 * An auth route the configuration cannot serve (the cookie routes without the cookie
 * transport, registration without `createUser`): 404, as if it were not mounted. `configureApp`
 * refuses such routes at start; with `useKoaServer` wiring, the first request reports it.
 */
export class RouteNotServedError extends SecurityError {
  readonly code = 'ERR_ROUTE_NOT_SERVED';
  constructor() {
    super('The route is not served by this configuration.');
  }
}

/** A session id that is not one of the caller's live sessions (404 `not_found`, whoever owns it). */
export class SessionNotFoundError extends SecurityError {
  readonly code = 'ERR_SESSION_NOT_FOUND';
  constructor() {
    super('No such session.');
  }
}

/** A registration for a name that is taken (409 `conflict`). */
/**
 * The second factor is not in the state the request needs: enrolment while it is on,
 * confirmation without an enrolment waiting, disabling while it is off (409).
 */
export class SecondFactorStateError extends SecurityError {
  readonly code = 'ERR_SECOND_FACTOR_STATE';
  /** @param reason the rule that failed, for logs and tests; never shown to clients. */
  constructor(readonly reason: string = 'state') {
    super('The second factor is not in the state this needs.');
  }
}

/**
 * The password was right and the user has a second factor: `login` issues nothing. Thrown by
 * `login` only; `beginLogin` answers the challenge instead, for the second step
 * (`verifySecondFactor`). Its `challenge` is the short-lived, single-purpose token for that.
 */
export class SecondFactorRequiredError extends SecurityError {
  readonly code = 'ERR_SECOND_FACTOR_REQUIRED';
  constructor(readonly challenge: string) {
    super('A second factor is required.');
  }
}

export class AlreadyRegisteredError extends SecurityError {
  readonly code = 'ERR_ALREADY_REGISTERED';
  constructor() {
    super('The user already exists.');
  }
}

/** Too many failed logins for an account or a client address: locked for a while. */
export class TooManyAttemptsError extends SecurityError {
  readonly code = 'ERR_TOO_MANY_ATTEMPTS';
  /** @param retryAfterSeconds whole seconds until the lock ends. */
  constructor(readonly retryAfterSeconds: number) {
    super('Too many failed attempts.');
  }
}

/** A revocation or user store (Redis, PostgreSQL) did not answer in time. */
export class StoreUnavailableError extends SecurityError {
  readonly code = 'ERR_STORE_UNAVAILABLE';
  constructor() {
    super('A security store is temporarily unavailable.');
  }
}

/**
 * Reported (never thrown to a client) when the revocation store found its data lost: every
 * token of the parts it names, issued before, is refused until a new login.
 */
export class StoreDataLostError extends SecurityError {
  readonly code = 'ERR_STORE_DATA_LOST';
  constructor(parts: number, detectedBy: 'start' | 'check') {
    super(
      `The revocation store lost its data in ${parts} part(s), found at ${detectedBy === 'start' ? 'its start' : 'a check'}: all issued there before is refused, and those users log in again.`,
    );
  }
}

/**
 * Too much password hashing is in flight (`BCRYPT_MAX_QUEUED`): refused at once, as a 503
 * with `Retry-After`, rather than queued behind a storm. A login refused so counts as no
 * attempt.
 */
export class ServerBusyError extends SecurityError {
  readonly code = 'ERR_SERVER_BUSY';
  /** Seconds after which a retry is worth it. */
  readonly retryAfterSeconds = 1;
  constructor() {
    super('The server is busy.');
  }
}

/**
 * A state-changing request authenticated by cookie (or a cookie login) that did not come
 * from an allowed origin, or did not carry the session's CSRF token: answered 403
 * `csrf_failed`, and nothing changes.
 */
export class CsrfError extends SecurityError {
  readonly code = 'ERR_CSRF';
  /** @param reason which check failed, for logs and the audit trail; never shown to clients. */
  constructor(readonly reason: CsrfFailure) {
    super('The request failed the cross-site request forgery check.');
  }
}

/** Why a CSRF check failed. */
export type CsrfFailure =
  'origin_missing' | 'origin_not_allowed' | 'token_missing' | 'token_mismatch';
