import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';

const run = promisify(execFile);
const projectRoot = resolve(__dirname, '../..');
const dist = join(projectRoot, 'dist');

describe('the files npm publishes', () => {
  before(function () {
    if (!existsSync(join(dist, 'index.js'))) {
      throw new Error(
        'dist/ is missing: `npm test` builds it first (pretest); run `npm run build`',
      );
    }
  });

  it('are dist/, the README and the MIT LICENSE that package.json names', async () => {
    const manifest = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as {
      license: string;
    };
    expect(manifest.license).to.equal('MIT');
    expect(readFileSync(join(projectRoot, 'LICENSE'), 'utf8')).to.match(
      /^MIT License\n\nCopyright \(c\) 2026 fastcore contributors\n/,
    );
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: projectRoot,
    });
    const [packed] = JSON.parse(stdout) as [{ files: { path: string }[] }];
    const paths = packed.files.map((file) => file.path);
    expect(paths).to.include('dist/index.js');
    expect(paths.filter((path) => !path.startsWith('dist/'))).to.have.members([
      'LICENSE',
      'README.md',
      'package.json',
    ]);
  });

  it('carry source maps that hold their sources, since src/ is not published', () => {
    const maps = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((file) =>
      file.endsWith('.js.map'),
    );
    expect(maps).not.to.be.empty;
    for (const map of maps) {
      const { sources, sourcesContent } = JSON.parse(readFileSync(join(dist, map), 'utf8')) as {
        sources: string[];
        sourcesContent?: unknown[];
      };
      expect(sourcesContent, map).to.have.length(sources.length);
      for (const content of sourcesContent ?? []) expect(content, map).to.be.a('string');
    }
  });
});
