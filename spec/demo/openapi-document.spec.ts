import { expect } from 'chai';
import type { OpenAPIObject, OperationObject, ParameterObject, ResponseObject } from 'openapi3-ts';
import { API_CONTROLLERS } from '../../demo/controllers/demo-controllers';
import { DEMO_OPERATIONS } from '../../demo/openapi/demo-operations';
import { buildOpenApiDocument } from '../../demo/openapi/openapi-document';
import type { OperationTable } from '../../demo/openapi/operation-table';

/** The cookie transport's controllers: an app without it serves none of them. */
const COOKIE_CONTROLLERS = ['CookieAuthRoutes', 'CookieSecondFactorRoutes'];

const COOKIES = {
  cookies: { accessCookieName: '__Host-access_token', refreshCookieName: '__Secure-refresh_token' },
};

function operation(document: OpenAPIObject, method: string, path: string): OperationObject {
  const found = (document.paths[path] as Record<string, OperationObject> | undefined)?.[method];
  if (found === undefined) throw new Error(`no ${method} ${path}`);
  return found;
}

function csrfParameter(found: OperationObject): ParameterObject | undefined {
  return (found.parameters as ParameterObject[] | undefined)?.find(
    (parameter) => parameter.name === 'X-CSRF-Token',
  );
}

function forbidden(found: OperationObject): ResponseObject | undefined {
  return found.responses['403'] as ResponseObject | undefined;
}

/** The demo's table with one entry changed. */
function withEntry(controller: string, method: string, entry: object): OperationTable {
  return { ...DEMO_OPERATIONS, [controller]: { ...DEMO_OPERATIONS[controller], [method]: entry } };
}

const STATE_CHANGING_AUTHORIZED = [
  ['post', '/auth/logout'],
  ['post', '/auth/logout-all'],
  ['put', '/users/me/password'],
] as const;

describe('buildOpenApiDocument', () => {
  describe('without the cookie transport (the default)', () => {
    // An app that serves no cookie routes.
    const bearerOnly = Object.fromEntries(
      Object.entries(DEMO_OPERATIONS).filter(
        ([controller]) => !COOKIE_CONTROLLERS.includes(controller),
      ),
    );
    const document = buildOpenApiDocument(
      API_CONTROLLERS.filter((controller) => !COOKIE_CONTROLLERS.includes(controller.name)),
      bearerOnly,
    );

    it('has no cookie scheme, no X-CSRF-Token and no csrf_failed', () => {
      expect(document.components?.securitySchemes).to.have.keys('bearer', 'oauth2');
      for (const [method, path] of STATE_CHANGING_AUTHORIZED) {
        const found = operation(document, method, path);
        expect(found.security).to.deep.equal([{ bearer: [] }, { oauth2: [] }]);
        expect(csrfParameter(found), path).to.equal(undefined);
        expect(forbidden(found), path).to.equal(undefined);
      }
      expect(JSON.stringify(document)).not.to.match(/csrf_failed|X-CSRF-Token|\/cookie\//);
    });
  });

  describe('with the cookie transport', () => {
    const document = buildOpenApiDocument(API_CONTROLLERS, DEMO_OPERATIONS, COOKIES);

    it('declares the access cookie as an apiKey scheme, listed by every authorized operation', () => {
      expect(document.components?.securitySchemes?.['cookie']).to.deep.include({
        type: 'apiKey',
        in: 'cookie',
        name: '__Host-access_token',
      });
      for (const [method, path] of [
        ['get', '/users/me'],
        ['get', '/admin/users'],
        ...STATE_CHANGING_AUTHORIZED,
      ]) {
        expect(operation(document, method, path).security, path).to.deep.equal([
          { bearer: [] },
          { oauth2: [] },
          { cookie: [] },
        ]);
      }
      expect(operation(document, 'post', '/auth/login').security).to.deep.equal([]);
    });

    it('gives state-changing authorized operations an optional X-CSRF-Token and 403 csrf_failed', () => {
      for (const [method, path] of STATE_CHANGING_AUTHORIZED) {
        const found = operation(document, method, path);
        expect(csrfParameter(found), path).to.deep.include({
          in: 'header',
          required: false,
          schema: { type: 'string' },
        });
        expect(forbidden(found)?.description, path).to.match(/^`csrf_failed`: /);
        // No challenge on csrf_failed: it is no token problem.
        expect(forbidden(found)?.headers, path).to.equal(undefined);
      }
    });

    it('leaves reads and public operations without a CSRF check', () => {
      for (const [method, path] of [
        ['get', '/users/me'],
        ['get', '/admin/users'],
        ['post', '/auth/login'],
        ['post', '/auth/refresh'],
      ]) {
        const found = operation(document, method, path);
        expect(csrfParameter(found), path).to.equal(undefined);
        expect(forbidden(found)?.description ?? '', path).not.to.contain('csrf_failed');
      }
    });

    it('takes a public cookie route’s check from the table: origin only, or origin and token', () => {
      const login = operation(document, 'post', '/auth/cookie/login');
      expect(login.security).to.deep.equal([]);
      expect(csrfParameter(login)).to.equal(undefined);
      expect(forbidden(login)?.description).to.match(/^`csrf_failed`: /);

      const refresh = operation(document, 'post', '/auth/cookie/refresh');
      expect(refresh.security).to.deep.equal([{ refreshCookie: [] }]);
      expect(csrfParameter(refresh)).to.deep.include({ required: false });
      expect(forbidden(refresh)?.description).to.match(/^`csrf_failed`: /);
      expect(document.components?.securitySchemes?.['refreshCookie']).to.deep.include({
        type: 'apiKey',
        in: 'cookie',
        name: '__Secure-refresh_token',
      });

      const withoutToken = buildOpenApiDocument(
        API_CONTROLLERS,
        withEntry('CookieAuthRoutes', 'refresh', {
          ...DEMO_OPERATIONS['CookieAuthRoutes']?.['refresh'],
          csrf: 'origin',
        }),
        COOKIES,
      );
      expect(csrfParameter(operation(withoutToken, 'post', '/auth/cookie/refresh'))).to.equal(
        undefined,
      );
    });
  });

  describe('the operation table', () => {
    it('must name every operation: a controller renamed is a TypeError naming its operations', () => {
      const { AuthRoutes, ...others } = DEMO_OPERATIONS;
      const renamed = { ...others, SessionController: AuthRoutes ?? {} };
      expect(() => buildOpenApiDocument(API_CONTROLLERS, renamed)).to.throw(
        TypeError,
        'no entry in the operation table for AuthRoutes.login, AuthRoutes.refresh',
      );
      expect(() => buildOpenApiDocument(API_CONTROLLERS, { ...renamed, AuthRoutes })).to.throw(
        TypeError,
        'the operation table names operations no controller has: SessionController.login',
      );
    });

    it('must name the schema of a success body', () => {
      const table = withEntry('UserController', 'me', {});
      expect(() => buildOpenApiDocument(API_CONTROLLERS, table)).to.throw(
        TypeError,
        'UserController.me answers a body: name its schema (returns) in the operation table',
      );
    });

    it('drops 503 from an operation that needs no store', () => {
      const document = buildOpenApiDocument(API_CONTROLLERS, DEMO_OPERATIONS);
      expect(operation(document, 'get', '/health').responses).not.to.have.key('503');
      const table = withEntry('HealthController', 'health', { returns: 'Health' });
      const withStore = buildOpenApiDocument(API_CONTROLLERS, table);
      expect(operation(withStore, 'get', '/health').responses).to.include.keys('503');
    });
  });
});
