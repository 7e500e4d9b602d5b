import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { getMetadataArgsStorage } from 'routing-controllers';
import { routingControllersToSpec } from 'routing-controllers-openapi';
import type { OpenAPIObject, OperationObject } from 'openapi3-ts';
import { operationFacts } from './operation-facts';
import type { ControllerClass, OperationFacts } from './operation-facts';

const ERROR_RESPONSE = {
  content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } },
};

/** Operations whose body may also be the OAuth2 form (RFC 6749 §4.3.2, §6). */
const FORM_OPERATIONS = new Set([
  'AuthRoutes.login',
  'AuthRoutes.refresh',
  'CookieAuthRoutes.login',
]);

/**
 * The OpenAPI 3 document of the given controllers, with the bearer and OAuth2 password
 * security schemes, and each operation's `security` and 401/403 responses derived from its
 * `@Authorized` metadata.
 */
export function buildOpenApiDocument(controllers: readonly ControllerClass[]): OpenAPIObject {
  const schemas = validationMetadatasToSchemas({
    refPointerPrefix: '#/components/schemas/',
    classTransformerMetadataStorage: defaultMetadataStorage,
  });
  const document = routingControllersToSpec(
    getMetadataArgsStorage(),
    { controllers: [...controllers] },
    {
      info: { title: '@fastcore/security demo', version: '1.0.0' },
      components: {
        schemas: {
          ...(schemas as Record<string, object>),
          ErrorResponse: {
            type: 'object',
            required: ['error', 'error_description'],
            properties: { error: { type: 'string' }, error_description: { type: 'string' } },
          },
        },
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          oauth2: {
            type: 'oauth2',
            flows: {
              password: { tokenUrl: '/auth/login', refreshUrl: '/auth/refresh', scopes: {} },
            },
          },
        },
      },
    },
  );
  const facts = operationFacts(controllers);
  for (const [route, path] of Object.entries(document.paths)) {
    const operations = path as Record<string, OperationObject>;
    for (const [method, operation] of Object.entries(operations)) {
      const fact = operation.operationId ? facts.get(operation.operationId) : undefined;
      // routing-controllers-openapi reads every controller it has metadata for.
      if (fact === undefined) {
        delete operations[method];
        continue;
      }
      describeOperation(operation, fact);
    }
    if (Object.keys(operations).length === 0) delete document.paths[route];
  }
  return document;
}

function describeOperation(operation: OperationObject, fact: OperationFacts): void {
  const success = operation.responses['200'] as object | undefined;
  if (fact.onUndefinedStatus !== undefined && success !== undefined) {
    delete operation.responses['200'];
    operation.responses[String(fact.onUndefinedStatus)] = { description: 'Done' };
  }
  const json = (operation.requestBody as { content?: Record<string, object> } | undefined)?.content;
  const jsonBody = json?.['application/json'];
  if (json && jsonBody && operation.operationId && FORM_OPERATIONS.has(operation.operationId)) {
    json['application/x-www-form-urlencoded'] = jsonBody;
  }
  if (fact.roles === undefined) return;
  operation.security = [{ bearer: [] }, { oauth2: [] }];
  operation.responses['401'] = {
    description: 'Missing, invalid, expired or revoked token',
    ...ERROR_RESPONSE,
  };
  if (fact.roles.length > 0) {
    operation.description = `Requires one of the roles: ${fact.roles.join(', ')}.`;
    operation.responses['403'] = {
      description: 'The token lacks a required role',
      ...ERROR_RESPONSE,
    };
  }
}
