import type { OperationTable } from './operation-table';

/**
 * The demo's operations: what each answers beyond what its metadata implies (see
 * `OperationEntry`). Keyed by controller then method, as routing-controllers names them.
 */
export const DEMO_OPERATIONS: OperationTable = {
  HealthController: {
    health: { returns: 'Health', usesStore: false },
  },
  AuthRoutes: {
    login: {
      returns: 'LoginOutcome',
      form: true,
      errors: ['401 invalid_credentials', '429 too_many_attempts'],
    },
    refresh: { returns: 'TokenPair', form: true, errors: ['401 invalid_token'] },
    logout: {},
    logoutAll: {},
  },
  RegistrationRoutes: {
    register: { returns: 'User', errors: ['409 conflict', '429 too_many_attempts'] },
  },
  PasswordChangeRoutes: {
    changePassword: { errors: ['400 invalid_credentials', '429 too_many_attempts'] },
  },
  EmailVerificationRoutes: {
    request: { returns: 'Accepted', errors: ['429 too_many_attempts'] },
    verify: { errors: ['400 invalid_token'] },
  },
  PasswordResetRoutes: {
    forgot: { returns: 'Accepted', errors: ['429 too_many_attempts'] },
    reset: { errors: ['400 invalid_token'] },
  },
  SecondFactorRoutes: {
    enroll: { returns: 'SecondFactorEnrolment', errors: ['409 conflict'] },
    confirm: { errors: ['401 invalid_credentials', '409 conflict', '429 too_many_attempts'] },
    disable: { errors: ['401 invalid_credentials', '409 conflict', '429 too_many_attempts'] },
    verify: {
      returns: 'TokenPair',
      errors: ['400 invalid_token', '401 invalid_credentials', '429 too_many_attempts'],
    },
  },
  CookieSecondFactorRoutes: {
    verify: {
      returns: 'CsrfSession',
      csrf: 'origin',
      errors: ['400 invalid_token', '401 invalid_credentials', '429 too_many_attempts'],
    },
  },
  SessionRoutes: {
    list: { returns: 'Session[]' },
    end: { errors: ['404 not_found'] },
    endOthers: {},
  },
  CookieAuthRoutes: {
    login: {
      returns: 'CookieLoginOutcome',
      form: true,
      csrf: 'origin',
      errors: ['401 invalid_credentials', '429 too_many_attempts'],
    },
    refresh: {
      returns: 'CsrfSession',
      csrf: 'token',
      security: 'refreshCookie',
      errors: ['401 authentication_required', '401 invalid_token'],
    },
    logout: {},
  },
  UserController: {
    me: { returns: 'User' },
  },
  UserRecordController: {
    record: { returns: 'User', errors: ['403 insufficient_scope', '404 not_found'] },
  },
  AdminController: {
    list: { returns: 'User[]' },
  },
  WellKnownController: {
    jwks: { returns: 'JsonWebKeySet', usesStore: false },
  },
};
