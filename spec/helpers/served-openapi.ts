import { demoHarness } from './demo-harness';

/** The text of the demo's `/openapi.json`, as it serves it on its embedded default. */
export async function servedOpenApiDocument(): Promise<string> {
  const h = await demoHarness();
  try {
    const response = await h.http().get('/openapi.json').expect(200);
    return response.text;
  } finally {
    await h.close();
  }
}
