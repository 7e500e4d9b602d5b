import { expect } from 'chai';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import openapiTS, { COMMENT_HEADER, astToString } from 'openapi-typescript';
import type { OpenAPI3 } from 'openapi-typescript';
import { format, resolveConfig } from 'prettier';
import { servedOpenApiDocument } from '../helpers/served-openapi';

/** The client types the specs compile against (spec/demo/openapi-client.spec.ts). */
const GENERATED = join(__dirname, '..', 'helpers', 'demo-api.generated.ts');

/** What openapi-typescript makes of a document, as Prettier formats the repository's files. */
async function clientTypes(document: string): Promise<string> {
  const source = COMMENT_HEADER + astToString(await openapiTS(JSON.parse(document) as OpenAPI3));
  return format(source, { ...(await resolveConfig(GENERATED)), filepath: GENERATED });
}

describe('demo: the client types generated from /openapi.json', function () {
  // openapi-typescript loads the TypeScript compiler.
  this.timeout(60_000);

  it('are the checked-in spec/helpers/demo-api.generated.ts (npm run openapi:types writes it)', async () => {
    const generated = await clientTypes(await servedOpenApiDocument());
    if (process.env['UPDATE_OPENAPI_TYPES'] === '1') await writeFile(GENERATED, generated);
    const checkedIn = await readFile(GENERATED, 'utf8').catch(() => '');
    expect(checkedIn).to.equal(generated, 'stale: run `npm run openapi:types`, commit the file');
  });
});
