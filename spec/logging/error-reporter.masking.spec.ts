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

describe('the default reporter masks what a message may quote (second review)', () => {
  const JWS = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MiJ9.c2lnbmF0dXJlc2lnbmF0dXJlc2ln';
  const masked = (message: string) => formatErrorLine('server_error', new Error(message));

  const cases: [string, string, string][] = [
    [
      'a bearer credential that is not a JWS',
      'Authorization: Bearer opaque-credential-123',
      'opaque-credential-123',
    ],
    ['a basic credential', 'authorization=Basic dXNlcjpodW50ZXIy', 'dXNlcjpodW50ZXIy'],
    ['a password with an escaped quote', '{"password":"ab\\"cd-very-secret"}', 'very-secret'],
    [
      'a JSON body quoted inside a string',
      'body: "{\\"password\\":\\"hunter2-secret\\"}"',
      'hunter2-secret',
    ],
    ['SECRET_KEY= from an env dump', 'SECRET_KEY=k3y-material-xyz failed', 'k3y-material-xyz'],
    ['password_confirmation', 'password_confirmation: pc-value-789', 'pc-value-789'],
    ['pwd=', 'pwd=p-value-456&user=a', 'p-value-456'],
    ['api_key=', 'api_key=ak-value-321', 'ak-value-321'],
    ['a Cookie header', 'Cookie: session=abc123def; other=1', 'abc123def'],
    [
      'a PEM key',
      '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----',
      'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC',
    ],
    [
      'an argon2 hash',
      'row: $argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo',
      'aGFzaGhhc2hoYXNo',
    ],
    ['a pbkdf2 hash', 'row: $pbkdf2-sha256$29000$N2ZsZQ$Xs2YbQ1', 'Xs2YbQ1'],
    [
      'a URL password',
      'connect redis://default:url-secret-55@10.0.0.1:6379 failed',
      'url-secret-55',
    ],
    ['a JWS', `token ${JWS} expired`, JWS],
  ];
  for (const [what, message, secret] of cases) {
    it(`masks ${what}`, () => {
      expect(masked(message)).not.to.include(secret);
    });
  }

  it('keeps what is not a secret: dotted hostnames, versions, file paths', () => {
    const line = masked(
      'connect ECONNREFUSED db.internal.example.com at src/auth/login-workflow.ts:42 (v20.20.2)',
    );
    expect(line).to.include('db.internal.example.com');
    expect(line).to.include('src/auth/login-workflow.ts:42');
  });
});

describe('the default reporter stays bounded', () => {
  it('masks a secret that straddles the cut whole (a bcrypt hash, a URL password)', () => {
    for (const secret of [HASH, 'redis://default:Sup3rS3cret-value@10.0.0.1']) {
      for (const offset of [1, 20, 59]) {
        const message = `${'x'.repeat(16_384 - offset)}${secret} tail`;
        const line = formatErrorLine('server_error', new Error(message));
        expect(line, `${secret} at -${offset}`).not.to.match(/R9h\/cIPz0gi|Sup3rS3cr/);
      }
    }
  });

  it('cuts a long message and stack to a bounded length, and masks a token cut short', () => {
    const header = 'eyJhbGciOiJIUzI1NiJ9';
    const message = `${'x'.repeat(16_380)} ${header}.eyJzdWIiOiI0MiJ9.signature-part`;
    const line = formatErrorLine('server_error', new Error(message));
    expect(line.length).to.be.below(40_000);
    expect(line).to.include('[truncated]');
    expect(line).not.to.include(header);
  });
});
