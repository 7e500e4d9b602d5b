import { expect } from 'chai';
import { formatErrorLine, stderrErrorReporter } from '../../src/logging/error-reporter';
import { TEST_SECRET_KEY } from '../helpers/test-environment';

describe('the default error reporter', () => {
  const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLWJ5dGVz';

  it('writes one JSON line with the event, name, message and stack', () => {
    const error = new TypeError('cannot read properties of undefined');
    const line = formatErrorLine('server_error', error);
    expect(line).not.to.include('\n');
    const fields = JSON.parse(line) as Record<string, unknown>;
    expect(fields).to.include({
      level: 'error',
      event: 'server_error',
      name: 'TypeError',
      message: 'cannot read properties of undefined',
    });
    expect(fields['stack']).to.include('error-reporter.spec.ts');
  });

  it('masks token-shaped text in the message and the stack', () => {
    const line = formatErrorLine('server_error', new Error(`jwt ${token} failed`));
    expect(line).not.to.include(token);
    expect(line).to.include('jwt [token] failed');
  });

  it('reports a thrown non-error by its type, without its value', () => {
    const fields = JSON.parse(formatErrorLine('server_error', { secret: TEST_SECRET_KEY }));
    expect(fields).to.include({ name: 'object', message: '' });
    expect(JSON.stringify(fields)).not.to.include(TEST_SECRET_KEY);
  });

  it('goes to stderr', () => {
    const written: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = (chunk: string) => {
      written.push(chunk);
      return true;
    };
    try {
      stderrErrorReporter('password_rehash_failed', new Error('connection terminated'));
    } finally {
      process.stderr.write = original;
    }
    expect(written).to.have.length(1);
    expect(written[0]).to.match(/^\{.*"event":"password_rehash_failed".*\}\n$/);
  });
});
