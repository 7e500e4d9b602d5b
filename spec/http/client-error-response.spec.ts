import { expect } from 'chai';
import { clientErrorResponse, clientErrorStatus } from '../../src/http/client-error-response';

describe('clientErrorResponse and clientErrorStatus', () => {
  it('maps Node’s client errors: timeout 408, header overflow 431, chunk extensions 413, else 400', () => {
    expect(clientErrorStatus('ERR_HTTP_REQUEST_TIMEOUT')).to.equal(408);
    expect(clientErrorStatus('HPE_HEADER_OVERFLOW')).to.equal(431);
    expect(clientErrorStatus('HPE_CHUNK_EXTENSIONS_OVERFLOW')).to.equal(413);
    for (const code of ['HPE_INVALID_METHOD', 'HPE_INVALID_HEADER_TOKEN', undefined, 42]) {
      expect(clientErrorStatus(code)).to.equal(400);
    }
  });

  for (const [status, error] of [
    [400, 'invalid_request'],
    [408, 'request_timeout'],
    [413, 'payload_too_large'],
    [431, 'headers_too_large'],
  ] as const) {
    it(`${status}: a complete HTTP/1.1 response with the error layer's body (${error})`, () => {
      const [head = '', body = ''] = clientErrorResponse(status).split('\r\n\r\n');
      const [statusLine, ...headers] = head.split('\r\n');
      expect(statusLine).to.match(new RegExp(`^HTTP/1\\.1 ${status} [A-Z]`));
      expect(headers).to.include.members([
        'Content-Type: application/json; charset=utf-8',
        `Content-Length: ${Buffer.byteLength(body)}`,
        'Connection: close',
        'Cache-Control: no-store',
      ]);
      expect(Object.keys(JSON.parse(body) as object)).to.deep.equal(['error', 'error_description']);
      expect((JSON.parse(body) as { error: string }).error).to.equal(error);
    });
  }
});
