import { expect } from 'chai';
import { demoHarness } from '../helpers/demo-harness';
import type { DemoHarness } from '../helpers/demo-harness';

interface Operation {
  operationId: string;
  security?: Record<string, string[]>[];
  responses: Record<string, unknown>;
  requestBody?: { content: Record<string, unknown> };
  description?: string;
}

describe('demo: OpenAPI document and Swagger UI', () => {
  let h: DemoHarness;
  let paths: Record<string, Record<string, Operation>>;
  let document: {
    openapi: string;
    components: { securitySchemes: Record<string, { type: string }> };
  };

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
        'POST /auth/login',
        'POST /auth/logout',
        'POST /auth/logout-all',
        'POST /auth/refresh',
        'POST /auth/register',
        'PUT /users/me/password',
      ].sort(),
    );
  });

  it('derives security and 401/403 from @Authorized', () => {
    const admin = paths['/admin/users']?.['get'];
    expect(admin?.security).to.deep.equal([{ bearer: [] }, { oauth2: [] }]);
    expect(admin?.responses).to.include.keys('401', '403');
    expect(admin?.description).to.equal('Requires one of the roles: admin.');
    const me = paths['/users/me']?.['get'];
    expect(me?.responses).to.include.keys('401');
    expect(me?.responses).not.to.include.keys('403');
    const record = paths['/users/{id}']?.['get'];
    expect(record?.security).to.deep.equal([{ bearer: [] }, { oauth2: [] }]);
    expect(record?.responses).to.include.keys('401', '403', '404');
    expect(paths['/health']?.['get']?.security).to.equal(undefined);
    expect(paths['/auth/login']?.['post']?.security).to.equal(undefined);
  });

  it('documents 204 answers and the OAuth2 form bodies', () => {
    expect(paths['/auth/logout']?.['post']?.responses).to.have.keys('204', '401');
    expect(paths['/auth/login']?.['post']?.requestBody?.content).to.have.keys(
      'application/json',
      'application/x-www-form-urlencoded',
    );
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
