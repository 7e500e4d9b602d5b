import { expect } from 'chai';
import type { HeaderObject, ResponseObject } from 'openapi3-ts';
import { errorResponseSchema, errorResponses } from '../../demo/openapi/error-responses';

function headersOf(response: unknown): Record<string, HeaderObject> {
  return ((response as ResponseObject).headers ?? {}) as Record<string, HeaderObject>;
}

describe('errorResponses', () => {
  it('gives one response per status, listing each of its codes once', () => {
    const responses = errorResponses([
      '401 invalid_token',
      '401 authentication_required',
      '401 invalid_token',
      '404 not_found',
    ]);
    expect(responses).to.have.keys('401', '404');
    const description = (responses['401'] as ResponseObject).description;
    expect(description.match(/^`\w+`:/gm)).to.deep.equal([
      '`authentication_required`:',
      '`invalid_token`:',
    ]);
  });

  it('requires a header only when every answer of the status carries it', () => {
    const scopeOnly = errorResponses(['403 insufficient_scope'])['403'];
    expect(headersOf(scopeOnly)['WWW-Authenticate']?.required).to.equal(true);
    const mixed = errorResponses(['403 insufficient_scope', '403 csrf_failed'])['403'];
    expect(headersOf(mixed)['WWW-Authenticate']).to.deep.include({
      required: false,
      schema: { type: 'string' },
    });
    expect(headersOf(errorResponses(['403 csrf_failed'])['403'])).to.deep.equal({});
    const retries = errorResponses(['429 too_many_attempts', '503 temporarily_unavailable']);
    expect(headersOf(retries['429'])['Retry-After']?.required).to.equal(true);
    expect(headersOf(retries['503'])['Retry-After']?.required).to.equal(false);
  });

  it('the ErrorResponse schema names the codes answered, each once', () => {
    const schema = errorResponseSchema([
      '401 invalid_credentials',
      '400 invalid_credentials',
      '409 conflict',
    ]);
    expect(schema.required).to.deep.equal(['error', 'error_description']);
    const error = schema.properties?.['error'] as { description: string };
    expect(error.description).to.match(/^The error code: conflict, invalid_credentials\. /);
  });
});
