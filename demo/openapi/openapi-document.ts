import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { getMetadataArgsStorage } from 'routing-controllers';
import { routingControllersToSpec } from 'routing-controllers-openapi';
import type { OpenAPIObject, OperationObject, ResponseObject, SchemaObject } from 'openapi3-ts';
import { errorResponseSchema, errorResponses } from './error-responses';
import type { ErrorAnswer } from './error-responses';
import { csrfCheckOf, operationErrors } from './operation-errors';
import type { OperationShape } from './operation-errors';
import { operationFacts } from './operation-facts';
import type { ControllerClass } from './operation-facts';
import { entriesByOperationId } from './operation-table';
import type { OperationEntry, OperationTable } from './operation-table';
import { CSRF_TOKEN_PARAMETER, authorizedSecurity, securitySchemes } from './security-schemes';
import type { CookieTransport } from './security-schemes';
import { SUCCESS_SCHEMAS } from './success-schemas';
import type { SuccessSchema } from './success-schemas';

/** Options of `buildOpenApiDocument`. */
export interface OpenApiDocumentOptions {
  /**
   * The cookie transport, when the app serves it: authorized operations then accept the
   * `cookie` scheme beside bearer and OAuth2, and state-changing ones take `X-CSRF-Token` and
   * may answer `403 csrf_failed`. Default: off (bearer only).
   */
  cookies?: CookieTransport;
}

/**
 * The OpenAPI 3 document of the given controllers: security schemes, each operation's
 * `security` (`[]` when public), success body, and every error it can answer, derived from
 * its routing-controllers metadata and completed by its entry in `operations`.
 * @throws TypeError when `operations` lacks an operation of the controllers, or names one
 *   they do not have, or when an operation that answers a body has no `returns`.
 */
export function buildOpenApiDocument(
  controllers: readonly ControllerClass[],
  operations: OperationTable,
  options: OpenApiDocumentOptions = {},
): OpenAPIObject {
  const schemas = validationMetadatasToSchemas({
    refPointerPrefix: '#/components/schemas/',
    classTransformerMetadataStorage: defaultMetadataStorage,
  });
  // routing-controllers' metadata holds every controller class the process defined; only
  // these (by identity: two authRoutes() calls make classes of one name) are described.
  const storage = getMetadataArgsStorage();
  const ours = Object.create(storage, {
    actions: {
      value: storage.actions.filter((a) => controllers.includes(a.target as ControllerClass)),
    },
  }) as typeof storage;
  const document = routingControllersToSpec(
    ours,
    // A body is required unless its @Body says `required: false`: a missing body is `{}` to
    // the body parser, which validation then refuses.
    { controllers: [...controllers], defaults: { paramOptions: { required: true } } },
    {
      info: {
        title: '@fastcore/security demo',
        version: '1.0.0',
        license: { name: 'MIT', url: 'https://spdx.org/licenses/MIT.html' },
      },
      // Relative: the API is wherever this document is served from (any HOST, PORT or proxy).
      servers: [{ url: '/', description: 'The origin that serves this document' }],
      components: {
        schemas: { ...schemas, ...successSchemasOf(operations) },
        securitySchemes: securitySchemes(options.cookies),
      },
    },
  );
  const facts = operationFacts(controllers);
  const entries = entriesByOperationId(operations, facts.keys());
  const answered: ErrorAnswer[] = [];
  for (const [route, path] of Object.entries(document.paths)) {
    const pathOperations = path as Record<string, OperationObject>;
    for (const [method, operation] of Object.entries(pathOperations)) {
      const id = operation.operationId ?? '';
      const fact = facts.get(id);
      const entry = entries.get(id);
      // routing-controllers-openapi reads every controller it has metadata for.
      if (fact === undefined || entry === undefined) {
        delete pathOperations[method];
        continue;
      }
      const cookies = options.cookies !== undefined;
      answered.push(...describeOperation(operation, { method, facts: fact, entry, cookies }));
    }
    if (Object.keys(pathOperations).length === 0) delete document.paths[route];
  }
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, ErrorResponse: errorResponseSchema(answered) },
  };
  return withoutUnusedSchemas(document);
}

/** Completes one operation of routing-controllers-openapi's; returns its error answers. */
function describeOperation(operation: OperationObject, shape: OperationShape): ErrorAnswer[] {
  const { facts, entry, cookies } = shape;
  describeSuccess(operation, shape);
  const content = (operation.requestBody as { content?: Record<string, object> } | undefined)
    ?.content;
  const jsonBody = content?.['application/json'];
  if (entry.form && content && jsonBody) {
    content['application/x-www-form-urlencoded'] = jsonBody;
  }
  operation.security =
    facts.roles !== undefined
      ? authorizedSecurity(cookies)
      : entry.security === 'refreshCookie'
        ? [{ refreshCookie: [] }]
        : [];
  if (facts.roles !== undefined && facts.roles.length > 0) {
    operation.description = `Requires one of the roles: ${facts.roles.join(', ')}.`;
  }
  if (csrfCheckOf(shape) === 'token') {
    operation.parameters = [...(operation.parameters ?? []), CSRF_TOKEN_PARAMETER];
  }
  const answers = operationErrors(shape);
  Object.assign(operation.responses, errorResponses(answers));
  return answers;
}

/**
 * The one success response routing-controllers-openapi wrote (status from `@HttpCode`, else
 * 200), with the table's schema; or the `@OnUndefined` status with no body.
 */
function describeSuccess(operation: OperationObject, { facts, entry }: OperationShape): void {
  const [status] = Object.keys(operation.responses);
  const response = operation.responses[status] as ResponseObject;
  if (facts.onUndefinedStatus !== undefined) {
    delete operation.responses[status];
    operation.responses[String(facts.onUndefinedStatus)] = { description: 'Done' };
    return;
  }
  if (entry.returns === undefined) {
    throw new TypeError(
      `${operation.operationId} answers a body: name its schema (returns) in the operation table`,
    );
  }
  const schema = schemaOf(entry.returns);
  response.content = Object.fromEntries(
    Object.keys(response.content ?? {}).map((mediaType) => [mediaType, { schema }]),
  );
}

function schemaOf(returns: NonNullable<OperationEntry['returns']>): SchemaObject {
  const ref = { $ref: `#/components/schemas/${returns.replace(/\[\]$/, '')}` };
  return returns.endsWith('[]') ? { type: 'array', items: ref } : ref;
}

/** The success schemas the table's operations answer: no unused component. */
function successSchemasOf(operations: OperationTable): Record<string, SchemaObject> {
  const used = new Set(
    Object.values(operations).flatMap((methods) =>
      Object.values(methods).flatMap((entry) =>
        entry.returns === undefined ? [] : [entry.returns.replace(/\[\]$/, '')],
      ),
    ),
  );
  // And the schemas those refer to (a `oneOf` of two answers).
  for (const name of [...used]) {
    const refs = JSON.stringify(SUCCESS_SCHEMAS[name as SuccessSchema] ?? {}).matchAll(
      /#\/components\/schemas\/(\w+)/g,
    );
    for (const [, ref = ''] of refs) used.add(ref);
  }
  return Object.fromEntries(Object.entries(SUCCESS_SCHEMAS).filter(([name]) => used.has(name)));
}

/**
 * The document with only the schemas it refers to: class-validator's metadata holds every
 * validated class the process loaded (other apps' bodies too), not only these controllers'.
 */
function withoutUnusedSchemas(document: OpenAPIObject): OpenAPIObject {
  const schemas = (document.components?.schemas ?? {}) as Record<string, unknown>;
  const used = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (typeof value !== 'object' || value === null) return;
    for (const [key, inner] of Object.entries(value)) {
      const name =
        key === '$ref' && typeof inner === 'string'
          ? /^#\/components\/schemas\/(.+)$/.exec(inner)?.[1]
          : undefined;
      if (name !== undefined && !used.has(name)) {
        used.add(name);
        visit(schemas[name]);
      } else visit(inner);
    }
  };
  visit(document.paths);
  return {
    ...document,
    components: {
      ...document.components,
      schemas: Object.fromEntries(
        Object.entries(schemas).filter(([name]) => used.has(name)),
      ) as Record<string, SchemaObject>,
    },
  };
}
