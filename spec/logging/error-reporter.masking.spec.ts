import { expect } from 'chai';
import { formatErrorLine, stderrErrorReporter } from '../../src/logging/error-reporter';

const HASH = '$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW';

function captureStderr(run: () => void): { writes: string[]; thrown: unknown } {
  const writes: string[] = [];
  const stderr = process.stderr as unknown as { write: (s: string) => boolean };
  const original = stderr.write;
  stderr.write = (s: string) => (writes.push(s), true);
  let thrown: unknown;
  try {
    run();
  } catch (e) {
    thrown = e;
  } finally {
    stderr.write = original;
  }
  return { writes, thrown };
}

describe('the default stderr reporter', () => {
  it('masks a bcrypt hash quoted by an ORM error (password_rehash_failed, changePassword)', () => {
    // e.g. Prisma: "Invalid `prisma.user.update()` invocation: { data: { hashed_password: "…" } } …"
    const error = new Error(
      `Invalid \`prisma.user.update()\` invocation:\n{ where: { id: 1 }, data: { hashed_password: "${HASH}" } }`,
    );
    expect(formatErrorLine('password_rehash_failed', error)).not.to.include(HASH);
  });

  it('masks a password quoted from a body by JSON.parse (Node 20 quotes the input)', () => {
    let error: unknown;
    try {
      JSON.parse('{"username":"a@example.com","password":correct-horse-battery}');
    } catch (e) {
      error = e;
    }
    expect(formatErrorLine('server_error', error)).not.to.include('correct-ho');
  });

  it('never throws, whatever the error (a non-string message)', () => {
    const odd = Object.assign(new Error('x'), { message: 42 as unknown as string });
    const { thrown, writes } = captureStderr(() => stderrErrorReporter('server_error', odd));
    expect(thrown).to.equal(undefined);
    expect(writes).to.have.length(1);
  });

  it('is one line for every line-splitter (U+2028 / U+2029 / NEL in a message)', () => {
    const { writes } = captureStderr(() =>
      stderrErrorReporter('server_error', new Error('name=a\u2028{"level":"info","forged":true}')),
    );
    expect((writes[0] ?? '').split(/\r\n|[\n\r\u2028\u2029\u0085]/).filter(Boolean)).to.have.length(
      1,
    );
  });
});
