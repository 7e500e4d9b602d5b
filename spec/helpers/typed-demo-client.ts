import { expect } from 'chai';
import type { paths } from './demo-api.generated';

type Method = 'get' | 'put' | 'post' | 'delete' | 'patch';

/** The operation of a path and method, as generated (`never` where the document has none). */
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;

/** The paths with an operation for a method. */
type PathsOf<M extends Method> = {
  [P in keyof paths]: [Operation<P, M>] extends [never] ? never : P;
}[keyof paths];

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : undefined;

/**
 * What a call sends: the JSON body (required where the document requires it), the path
 * parameters where the path has some, and headers.
 */
type Input<O> = (O extends { requestBody: infer R }
  ? { body: Json<R> }
  : O extends { requestBody?: infer R }
    ? { body?: Json<NonNullable<R>> }
    : unknown) &
  (O extends { parameters: { path: infer A } } ? { path: A } : unknown) & {
    headers?: Record<string, string>;
  };

type Responses<O> = O extends { responses: infer R } ? R : never;

/** An answer: for each status the document declares, that status with its body. */
export type Answer<O> = {
  [S in keyof Responses<O>]: { status: S; body: Json<Responses<O>[S]>; headers: Headers };
}[keyof Responses<O>];

/**
 * A small fetch client typed by the types openapi-typescript generated from the demo's
 * document: paths, bodies and answers that the document does not declare do not compile.
 */
export function typedDemoClient(origin: string) {
  return async function call<M extends Method, P extends PathsOf<M>>(
    method: M,
    path: P,
    input: Input<Operation<P, M>>,
  ): Promise<Answer<Operation<P, M>>> {
    const {
      body,
      headers,
      path: parameters,
    } = input as {
      body?: unknown;
      headers?: Record<string, string>;
      path?: Record<string, string>;
    };
    const url = new URL(
      path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(parameters?.[name] ?? '')),
      origin,
    );
    const response = await fetch(url, {
      method: method.toUpperCase(),
      headers: {
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const answer = {
      status: response.status,
      body: text === '' ? undefined : (JSON.parse(text) as unknown),
      headers: response.headers,
    };
    return answer as Answer<Operation<P, M>>;
  };
}

/** Asserts an answer's status, which must be one the document declares, and narrows its body. */
export function expectStatus<
  A extends { status: unknown; body: unknown },
  const S extends A['status'],
>(answer: A, status: S): asserts answer is Extract<A, { status: S }> {
  expect(answer.status, JSON.stringify(answer.body)).to.equal(status);
}
