/**
 * What happened, for an audit trail. Events carry identifiers (user id, `jti`, family id),
 * the client address and the time: never a token, a password, a hash or a login name (users
 * type passwords into the name field).
 */
export type SecurityEvent =
  | LoginSucceeded
  | LoginFailed
  | AccountLocked
  | TokenRefreshed
  | RefreshReuseDetected
  | LoggedOut
  | LoggedOutEverywhere
  | PasswordChanged
  | AccessDenied
  | CsrfRefused
  | SessionEnded
  | StoreDataLost
  | AccountMailSent
  | EmailVerified
  | PasswordResetRequested
  | PasswordReset
  | SecondFactorEnrolled
  | SecondFactorEnabled
  | SecondFactorDisabled
  | SecondFactorChallenged
  | RecoveryCodeUsed;

interface EventBase {
  time: Date;
  /** The client address, when the event comes from a request. */
  address?: string | undefined;
}

export interface LoginSucceeded extends EventBase {
  type: 'login_succeeded';
  userId: string;
  /** The new session's refresh family. */
  familyId: string;
}

export interface LoginFailed extends EventBase {
  type: 'login_failed';
  reason:
    | 'unknown_user'
    | 'wrong_password'
    | 'inactive_user'
    | 'wrong_current_password'
    | 'wrong_code'
    | 'replayed_code';
  /** Known when the account exists. */
  userId?: string | undefined;
}

export interface AccountLocked extends EventBase {
  type: 'account_locked';
  /**
   * What was locked: one account from one address, the account from everywhere, or the
   * address. The name, address or both only ever appear keyed (`ThrottleKeys`: an HMAC
   * under a key derived from the signing key), never as typed.
   */
  scope: 'account_address' | 'account' | 'address' | 'second_factor';
  /** The counter's keyed name: equal for one account (or address) across events. */
  key: string;
  retryAfterSeconds: number;
}

export interface TokenRefreshed extends EventBase {
  type: 'token_refreshed';
  userId: string;
  familyId: string;
  /** The spent refresh token's id. */
  jti: string;
  /** The token was spent already, and presented again within the reuse interval. */
  withinReuseInterval?: true;
}

export interface RefreshReuseDetected extends EventBase {
  type: 'refresh_reuse_detected';
  userId: string;
  /** The family, now revoked. */
  familyId: string;
  /** The reused refresh token's id. */
  jti: string;
}

export interface LoggedOut extends EventBase {
  type: 'logout';
  userId: string;
  jti: string;
  familyId?: string | undefined;
}

export interface LoggedOutEverywhere extends EventBase {
  type: 'logout_all';
  userId: string;
}

export interface PasswordChanged extends EventBase {
  type: 'password_changed';
  userId: string;
}

export interface AccessDenied extends EventBase {
  type: 'access_denied';
  /** `insufficient_scope` (a role is missing) or the code of the token error. */
  reason: string;
  userId?: string | undefined;
  jti?: string | undefined;
  /** The request path, without its query string. */
  path?: string | undefined;
}

export interface CsrfRefused extends EventBase {
  type: 'csrf_failed';
  reason: 'origin_missing' | 'origin_not_allowed' | 'token_missing' | 'token_mismatch';
  /** Known when the request carried a valid session. */
  userId?: string | undefined;
  familyId?: string | undefined;
  method: string;
  /** The request path, without its query string. */
  path: string;
}

export interface SessionEnded extends EventBase {
  type: 'session_ended';
  /** The session's owner. */
  userId: string;
  familyId: string;
  /**
   * `ended`: by its owner, one session; `others_ended`: by its owner, with every session but
   * the current one; `ended_by_admin`: by someone with the administrator grant; `limit`: the
   * oldest, when a login went past `MAX_SESSIONS_PER_USER`.
   */
  reason: 'ended' | 'others_ended' | 'ended_by_admin' | 'limit';
  /** Who ended it, when not the owner (an administrator). */
  actorId?: string | undefined;
}

/** An event before the audit trail stamps its time. */
export type SecurityEventInput = SecurityEvent extends infer E
  ? E extends SecurityEvent
    ? Omit<E, 'time'>
    : never
  : never;

/**
 * The revocation store found its data lost (a flush, a restart without persistence, a
 * failover that lost writes): every token issued before, in the parts it names, is refused.
 */
export interface StoreDataLost extends EventBase {
  type: 'store_data_lost';
  /** How many parts (Redis Cluster slots; 1 for a single Redis) were found without a marker. */
  parts: number;
  detectedBy: 'start' | 'check';
}

/** An account mail was handed to the application's delivery (never its token or address). */
export interface AccountMailSent extends EventBase {
  type: 'account_mail_sent';
  kind: 'verify_email' | 'reset_password';
  userId: string;
}

export interface EmailVerified extends EventBase {
  type: 'email_verified';
  userId: string;
}

/**
 * "Forgot password" was asked, for some email: which one, and whether it has an account, is
 * not recorded here (a mail sent is `account_mail_sent`).
 */
export interface PasswordResetRequested extends EventBase {
  type: 'password_reset_requested';
}

/** A password was set through a reset link: every older session and token of the user ended. */
export interface PasswordReset extends EventBase {
  type: 'password_reset';
  userId: string;
}

/** A TOTP secret was made for the user, waiting for a first code (`mfa_enabled`). */
export interface SecondFactorEnrolled extends EventBase {
  type: 'mfa_enrolled';
  userId: string;
}

/** The user's second factor is on: logins need a code from now. */
export interface SecondFactorEnabled extends EventBase {
  type: 'mfa_enabled';
  userId: string;
}

export interface SecondFactorDisabled extends EventBase {
  type: 'mfa_disabled';
  userId: string;
}

/** The password of a user with a second factor was right: a challenge was issued, no token. */
export interface SecondFactorChallenged extends EventBase {
  type: 'mfa_challenge_issued';
  userId: string;
}

/** A recovery code was spent (fewer are left). */
export interface RecoveryCodeUsed extends EventBase {
  type: 'recovery_code_used';
  userId: string;
}
