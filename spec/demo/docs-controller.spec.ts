import { expect } from 'chai';
import { demoHarness } from '../helpers/demo-harness';
import type { DemoHarness } from '../helpers/demo-harness';

interface Header {
  required?: boolean;
  schema: { type: string };
}

interface Response {
  description: string;
  headers?: Record<string, Header>;
  content?: Record<string, { schema?: { $ref?: string; type?: string; items?: { $ref: string } } }>;
}

interface Operation {
  operationId: string;
  security?: Record<string, string[]>[];
  responses: Record<string, Response>;
  requestBody?: { required?: boolean; content: Record<string, unknown> };
  description?: string;
}

/** The error answers of an operation, as `"<status> <code>"`: each response lists its codes. */
function errorAnswers(operation: Operation | undefined): string[] {
  return Object.entries(operation?.responses ?? {})
    .filter(([status]) => Number(status) >= 400)
    .flatMap(([status, response]) =>
      [...response.description.matchAll(/^`(\w+)`:/gm)].map(([, code]) => `${status} ${code}`),
    );
}

/** What the body parser answers, for any route: it reads every request's body. */
const BODY_PARSER = ['400 invalid_request', '413 payload_too_large', '415 unsupported_media_type'];
const STORE = '503 temporarily_unavailable';
const TOKEN = ['401 authentication_required', '401 invalid_token'];

/** The contract's errors of each route, beyond the body parser's. */
/** The cookie transport's refusal (the demo serves it). */
const CSRF = '403 csrf_failed';

/** A signed-in user's code (confirming or disabling the second factor). */
const CODE_OF_THE_USER = [
  STORE,
  ...TOKEN,
  CSRF,
  '401 invalid_credentials',
  '409 conflict',
  '429 too_many_attempts',
];

const CONTRACT_ERRORS: Readonly<Record<string, string[]>> = {
  'GET /health': [],
  'GET /.well-known/jwks.json': [],
  'POST /auth/register': [STORE, '409 conflict', '429 too_many_attempts'],
  'POST /auth/login': [STORE, '401 invalid_credentials', '429 too_many_attempts'],
  'POST /auth/refresh': [STORE, '401 invalid_token'],
  'POST /auth/logout': [STORE, ...TOKEN, CSRF],
  'POST /auth/logout-all': [STORE, ...TOKEN, CSRF],
  'GET /users/me': [STORE, ...TOKEN],
  'PUT /users/me/password': [
    STORE,
    ...TOKEN,
    CSRF,
    '400 invalid_credentials',
    '429 too_many_attempts',
  ],
  'POST /auth/cookie/login': [STORE, CSRF, '401 invalid_credentials', '429 too_many_attempts'],
  'POST /auth/cookie/refresh': [STORE, CSRF, '401 authentication_required', '401 invalid_token'],
  'POST /auth/cookie/logout': [STORE, ...TOKEN, CSRF],
  'GET /auth/sessions': [STORE, ...TOKEN],
  'DELETE /auth/sessions': [STORE, ...TOKEN, CSRF],
  'DELETE /auth/sessions/{id}': [STORE, ...TOKEN, CSRF, '404 not_found'],
  'GET /users/{id}': [STORE, ...TOKEN, '403 insufficient_scope', '404 not_found'],
  'GET /admin/users': [STORE, ...TOKEN, '403 insufficient_scope'],
  'POST /auth/verify-email/request': [STORE, ...TOKEN, CSRF, '429 too_many_attempts'],
  'POST /auth/verify-email': [STORE, '400 invalid_token'],
  'POST /auth/forgot-password': [STORE, '429 too_many_attempts'],
  'POST /auth/reset-password': [STORE, '400 invalid_token'],
  'POST /auth/2fa/enroll': [STORE, ...TOKEN, CSRF, '409 conflict'],
  'POST /auth/2fa/confirm': CODE_OF_THE_USER,
  'POST /auth/2fa/disable': CODE_OF_THE_USER,
  'POST /auth/2fa/verify': [
    STORE,
    '400 invalid_token',
    '401 invalid_credentials',
    '429 too_many_attempts',
  ],
  'POST /auth/cookie/2fa/verify': [
    STORE,
    CSRF,
    '400 invalid_token',
    '401 invalid_credentials',
    '429 too_many_attempts',
  ],
};

describe('demo: OpenAPI document and Swagger UI', () => {
  let h: DemoHarness;
  let paths: Record<string, Record<string, Operation>>;
  let document: {
    openapi: string;
    info: { license?: { name: string; url?: string } };
    servers?: { url: string }[];
    components: {
      securitySchemes: Record<string, { type: string }>;
      schemas: Record<string, { required?: string[] }>;
    };
  };
  const operations = () =>
    Object.entries(paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, operation]) => ({
        route: `${method.toUpperCase()} ${path}`,
        operation,
      })),
    );

  before(async () => {
    h = await demoHarness();
    const response = await h.http().get('/openapi.json').expect(200).expect('Content-Type', /json/);
    document = response.body;
    paths = response.body.paths;
  });
  after(async () => h.close());

  it('is OpenAPI 3 with the bearer and OAuth2 password security schemes', () => {
    expect(document.openapi).to.match(/^3\./);
    expect(document.components.securitySchemes['bearer']?.type).to.equal('http');
    expect(document.components.securitySchemes['oauth2']).to.deep.include({ type: 'oauth2' });
  });

  it('describes exactly the API routes of the contract', () => {
    const routes = Object.entries(paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(routes.sort()).to.deep.equal(
      [
        'GET /.well-known/jwks.json',
        'GET /admin/users',
        'GET /health',
        'GET /users/me',
        'GET /users/{id}',
        'POST /auth/cookie/login',
        'POST /auth/cookie/logout',
        'POST /auth/cookie/refresh',
        'GET /auth/sessions',
        'DELETE /auth/sessions',
        'DELETE /auth/sessions/{id}',
        'POST /auth/login',
        'POST /auth/logout',
        'POST /auth/logout-all',
        'POST /auth/refresh',
        'POST /auth/register',
        'PUT /users/me/password',
        'POST /auth/verify-email/request',
        'POST /auth/verify-email',
        'POST /auth/forgot-password',
        'POST /auth/reset-password',
        'POST /auth/2fa/enroll',
        'POST /auth/2fa/confirm',
        'POST /auth/2fa/disable',
        'POST /auth/2fa/verify',
        'POST /auth/cookie/2fa/verify',
      ].sort(),
    );
  });

  it('derives security and 401/403 from @Authorized; public operations have security []', () => {
    const admin = paths['/admin/users']?.['get'];
    expect(admin?.security).to.deep.equal([{ bearer: [] }, { oauth2: [] }, { cookie: [] }]);
    expect(admin?.responses).to.include.keys('401', '403');
    expect(admin?.description).to.equal('Requires one of the roles: admin.');
    const me = paths['/users/me']?.['get'];
    expect(me?.responses).to.include.keys('401');
    expect(me?.responses).not.to.include.keys('403');
    const record = paths['/users/{id}']?.['get'];
    expect(record?.security).to.deep.equal([{ bearer: [] }, { oauth2: [] }, { cookie: [] }]);
    expect(record?.responses).to.include.keys('401', '403', '404');
    for (const route of [
      '/health',
      '/auth/login',
      '/auth/register',
      '/auth/refresh',
      '/auth/cookie/login',
    ]) {
      const [operation] = Object.values(paths[route] ?? {});
      expect(operation?.security, route).to.deep.equal([]);
    }
    for (const { route, operation } of operations()) {
      expect(operation.security, route).to.be.an('array');
    }
  });

  it('names the MIT licence and a server relative to where it is served', () => {
    expect(document.info.license).to.deep.equal({
      name: 'MIT',
      url: 'https://spdx.org/licenses/MIT.html',
    });
    expect(document.servers).to.deep.equal([
      { url: '/', description: 'The origin that serves this document' },
    ]);
  });

  it('documents 204 answers, the success bodies and the OAuth2 form bodies', () => {
    expect(paths['/auth/logout']?.['post']?.responses['204']).to.deep.equal({
      description: 'Done',
    });
    const success = (route: string, method: string, status = '200') =>
      paths[route]?.[method]?.responses[status]?.content?.['application/json']?.schema;
    // A token pair, or the challenge of a second step.
    expect(success('/auth/login', 'post')).to.deep.equal({
      $ref: '#/components/schemas/LoginOutcome',
    });
    expect(document.components.schemas['LoginOutcome']).to.deep.equal({
      oneOf: [
        { $ref: '#/components/schemas/TokenPair' },
        { $ref: '#/components/schemas/SecondFactorChallenge' },
      ],
    });
    expect(success('/auth/2fa/verify', 'post')).to.deep.equal({
      $ref: '#/components/schemas/TokenPair',
    });
    expect(success('/auth/2fa/enroll', 'post')).to.deep.equal({
      $ref: '#/components/schemas/SecondFactorEnrolment',
    });
    expect(success('/auth/refresh', 'post')).to.deep.equal({
      $ref: '#/components/schemas/TokenPair',
    });
    expect(success('/auth/register', 'post', '201')).to.deep.equal({
      $ref: '#/components/schemas/User',
    });
    expect(success('/users/me', 'get')).to.deep.equal({ $ref: '#/components/schemas/User' });
    expect(success('/admin/users', 'get')).to.deep.equal({
      type: 'array',
      items: { $ref: '#/components/schemas/User' },
    });
    expect(paths['/auth/login']?.['post']?.requestBody?.content).to.have.keys(
      'application/json',
      'application/x-www-form-urlencoded',
    );
  });

  it('requires the request bodies the actions validate, not the optional logout body', () => {
    for (const route of ['/auth/login', '/auth/register', '/auth/refresh']) {
      expect(paths[route]?.['post']?.requestBody?.required, route).to.equal(true);
    }
    expect(paths['/users/me/password']?.['put']?.requestBody?.required).to.equal(true);
    expect(paths['/auth/logout']?.['post']?.requestBody?.required).to.equal(false);
    expect(document.components.schemas['LogoutBody']?.required).to.equal(undefined);
  });

  it('describes every error of the contract each operation can answer, and no other', () => {
    expect(operations().map(({ route }) => route)).to.have.members(Object.keys(CONTRACT_ERRORS));
    for (const { route, operation } of operations()) {
      expect(errorAnswers(operation), route).to.have.members([
        ...BODY_PARSER,
        ...(CONTRACT_ERRORS[route] ?? []),
      ]);
    }
  });

  it('gives every error response the ErrorResponse body, WWW-Authenticate and Retry-After', () => {
    expect(document.components.schemas['ErrorResponse']?.required).to.deep.equal([
      'error',
      'error_description',
    ]);
    for (const { route, operation } of operations()) {
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) < 400) continue;
        const where = `${route} ${status}`;
        expect(response.content, where).to.deep.equal({
          'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } },
        });
        const challenge = response.headers?.['WWW-Authenticate'];
        if (status === '401') expect(challenge, where).to.deep.include({ required: true });
        // A token problem has a challenge; a CSRF refusal does not.
        if (status === '403' && String(response.description).includes('insufficient_scope')) {
          expect(challenge?.schema, where).to.deep.equal({ type: 'string' });
        }
        const retry = response.headers?.['Retry-After'];
        if (status === '429') expect(retry, where).to.deep.include({ required: true });
        if (status === '429' || status === '503') {
          expect(retry?.schema, where).to.deep.include({ type: 'integer' });
        }
        if (!['400', '401', '403'].includes(status)) expect(challenge, where).to.equal(undefined);
        if (!['429', '503'].includes(status)) expect(retry, where).to.equal(undefined);
      }
    }
  });

  it('declares the body parser’s answers on a route without a body because it gives them', async () => {
    const health = () => h.http().get('/health').set('Content-Type', 'application/json');
    const answers = [
      await health().send('{'),
      await health().send(JSON.stringify({ padding: 'x'.repeat(2 * 1024 * 1024) })),
      await health().set('Content-Encoding', 'unknown').send('{}'),
    ].map(({ status, body }) => `${status} ${(body as { error: string }).error}`);
    expect(answers).to.deep.equal(BODY_PARSER);
    expect(errorAnswers(paths['/health']?.['get'])).to.deep.equal(BODY_PARSER);
  });

  it('serves Swagger UI at /docs with its assets, and nothing else from the package', async () => {
    const page = await h.http().get('/docs').expect(200).expect('Content-Type', /html/);
    expect(page.text).to.contain('swagger-ui-bundle.js');
    await h
      .http()
      .get('/docs/swagger-ui-bundle.js')
      .expect(200)
      .expect('Content-Type', /javascript/);
    await h
      .http()
      .get('/docs/initializer.js')
      .expect(200)
      .expect(/openapi\.json/);
    for (const path of ['/docs/package.json', '/docs/..%2Fpackage.json', '/docs/index.js']) {
      const response = await h.http().get(path);
      expect(response.status).to.equal(404);
      expect(response.body.error).to.equal('not_found');
    }
  });
});
