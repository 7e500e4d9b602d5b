import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { API_CONTROLLERS } from '../../demo/controllers/demo-controllers';
import { DEMO_OPERATIONS } from '../../demo/openapi/demo-operations';
import { buildOpenApiDocument } from '../../demo/openapi/openapi-document';
import { servedOpenApiDocument } from '../helpers/served-openapi';

const REDOCLY_CLI = join(dirname(require.resolve('@redocly/cli/package.json')), 'bin', 'cli.js');
/** The repository's Redocly configuration: `extends: [recommended]`, telemetry off. */
const REDOCLY_CONFIG = join(__dirname, '..', '..', 'redocly.yaml');

interface LintProblem {
  ruleId: string;
  severity: string;
  message: string;
  location: { pointer?: string }[];
}

/**
 * The problems `redocly lint` finds in a document: the installed CLI, as a person runs it,
 * with no usage data sent and no update check (both would reach the network).
 */
async function redoclyLint(document: object): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'openapi-lint-'));
  try {
    const file = join(dir, 'openapi.json');
    await writeFile(file, JSON.stringify(document));
    const stdout = await new Promise<string>((resolve, reject) => {
      // Exit code 1 when there are errors: the JSON report on stdout is the answer then too.
      execFile(
        process.execPath,
        [REDOCLY_CLI, 'lint', '--config', REDOCLY_CONFIG, '--format', 'json', file],
        {
          env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
        },
        (error, out, err) => (out === '' ? reject(error ?? new Error(err)) : resolve(out)),
      );
    });
    const { problems } = JSON.parse(stdout) as { problems: LintProblem[] };
    return problems.map(
      ({ severity, ruleId, location, message }) =>
        `${severity} ${ruleId} at ${location[0]?.pointer ?? '?'}: ${message}`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('demo: /openapi.json passes redocly lint with the recommended rules', function () {
  let problems: { served: string[]; cookies: string[]; withoutServers: string[] };

  before(async () => {
    const served = JSON.parse(await servedOpenApiDocument()) as object;
    const cookies = buildOpenApiDocument(API_CONTROLLERS, DEMO_OPERATIONS, {
      cookies: {
        accessCookieName: '__Host-access_token',
        refreshCookieName: '__Secure-refresh_token',
      },
    });
    // A control: the lint does run, with the recommended rules.
    const withoutServers = { ...served, servers: undefined };
    const [a, b, c] = await Promise.all([served, cookies, withoutServers].map(redoclyLint));
    problems = { served: a, cookies: b, withoutServers: c };
  });

  it('the served document: no error, no warning', () => {
    expect(problems.served, problems.served.join('\n')).to.deep.equal([]);
  });

  it('the document with the cookie transport on: no error, no warning', () => {
    expect(problems.cookies, problems.cookies.join('\n')).to.deep.equal([]);
  });

  it('a document without servers: the error the recommended rules give', () => {
    expect(problems.withoutServers).to.have.length(1);
    expect(problems.withoutServers[0]).to.match(/^error no-empty-servers /);
  });
});
