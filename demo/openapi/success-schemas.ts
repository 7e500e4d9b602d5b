import type { SchemaObject } from 'openapi3-ts';

/** The name of a success body's schema in `components.schemas`. */
export type SuccessSchema =
  | 'Health'
  | 'TokenPair'
  | 'CsrfSession'
  | 'Session'
  | 'User'
  | 'JsonWebKeySet'
  | 'Accepted'
  | 'SecondFactorChallenge'
  | 'LoginOutcome'
  | 'CookieLoginOutcome'
  | 'SecondFactorEnrolment';

/**
 * The schemas of the success bodies, which the actions declare as TypeScript types only
 * (`TokenPair`, `PublicUser`, `JsonWebKeySet`): what class-validator-jsonschema cannot read.
 * spec/demo/openapi-client.spec.ts checks that the types generated from them match those.
 */
export const SUCCESS_SCHEMAS: Readonly<Record<SuccessSchema, SchemaObject>> = {
  Health: {
    type: 'object',
    required: ['status'],
    properties: { status: { type: 'string', enum: ['ok'] } },
  },
  TokenPair: {
    type: 'object',
    required: ['access_token', 'refresh_token', 'token_type', 'expires_in'],
    properties: {
      access_token: { type: 'string', description: 'A JWT, for the `Authorization` header.' },
      refresh_token: { type: 'string', description: 'A JWT, for `POST /auth/refresh` only.' },
      token_type: { type: 'string', enum: ['bearer'] },
      expires_in: {
        type: 'integer',
        minimum: 0,
        description: 'Seconds until the access token expires.',
      },
    },
  },
  SecondFactorChallenge: {
    type: 'object',
    description:
      'The password was right and the user has a second factor: no token yet. `POST /auth/2fa/verify` takes the challenge with a code.',
    required: ['mfa_required', 'challenge'],
    properties: {
      mfa_required: { type: 'boolean', enum: [true] },
      challenge: {
        type: 'string',
        description: 'Short-lived and single-use, for the second step only: no access token.',
      },
    },
  },
  LoginOutcome: {
    oneOf: [
      { $ref: '#/components/schemas/TokenPair' },
      { $ref: '#/components/schemas/SecondFactorChallenge' },
    ],
  },
  CookieLoginOutcome: {
    oneOf: [
      { $ref: '#/components/schemas/CsrfSession' },
      { $ref: '#/components/schemas/SecondFactorChallenge' },
    ],
  },
  SecondFactorEnrolment: {
    type: 'object',
    description: 'Shown once: the secret is in the URI. On after `POST /auth/2fa/confirm`.',
    required: ['otpauth_url', 'recovery_codes'],
    properties: {
      otpauth_url: {
        type: 'string',
        description: 'An `otpauth://totp/…` URI for an authenticator app (a QR code of it).',
      },
      recovery_codes: {
        type: 'array',
        items: { type: 'string' },
        description: 'Single-use codes accepted in place of a TOTP code.',
      },
    },
  },
  CsrfSession: {
    type: 'object',
    required: ['csrf_token', 'expires_in'],
    properties: {
      csrf_token: {
        type: 'string',
        description:
          'The session’s CSRF token, for the `X-CSRF-Token` header (also in a readable cookie); no JWT is in the body.',
      },
      expires_in: {
        type: 'integer',
        minimum: 0,
        description: 'Seconds until the access cookie expires.',
      },
    },
  },
  Session: {
    type: 'object',
    description: 'One login of the user and the refreshes that carried it on; never a token.',
    required: [
      'id',
      'created_at',
      'last_used_at',
      'expires_at',
      'address',
      'user_agent',
      'current',
    ],
    properties: {
      id: { type: 'string', format: 'uuid' },
      created_at: { type: 'string', format: 'date-time' },
      last_used_at: { type: 'string', format: 'date-time' },
      expires_at: { type: 'string', format: 'date-time', description: 'The absolute end.' },
      address: { type: 'string', nullable: true, description: 'As the server saw it.' },
      user_agent: { type: 'string', nullable: true, description: 'Cut to 256 characters.' },
      current: { type: 'boolean', description: 'The session of the request that asked.' },
    },
  },
  User: {
    type: 'object',
    required: ['id', 'email', 'roles', 'is_active', 'email_verified', 'mfa_enabled'],
    properties: {
      id: { type: 'integer', description: 'As a string, the `sub` of the user’s tokens.' },
      email: { type: 'string', format: 'email' },
      roles: { type: 'array', items: { type: 'string' } },
      is_active: { type: 'boolean' },
      email_verified: {
        type: 'boolean',
        description: 'The email was proven by a verification link.',
      },
      mfa_enabled: { type: 'boolean', description: 'Logins need a TOTP code.' },
    },
  },
  Accepted: {
    type: 'object',
    description:
      'The request is taken: a mail, if one is due, goes out after the answer (the answer is the same either way).',
    required: ['status'],
    properties: { status: { type: 'string', enum: ['accepted'] } },
  },
  JsonWebKeySet: {
    type: 'object',
    required: ['keys'],
    properties: {
      keys: {
        type: 'array',
        description: 'The public verification keys (RFC 7517); empty for HS* algorithms.',
        items: {
          type: 'object',
          required: ['kty', 'kid', 'alg', 'use'],
          properties: {
            kty: { type: 'string' },
            kid: { type: 'string' },
            alg: { type: 'string' },
            use: { type: 'string', enum: ['sig'] },
          },
          // The key's own members (`n`, `e`; `crv`, `x`, `y`).
          additionalProperties: true,
        },
      },
    },
  },
};
