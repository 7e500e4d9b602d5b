import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The package packed: this repository, or `CONSUMER_PACKAGE_ROOT` (a worktree, say). */
export const PACKAGE_ROOT = resolve(
  process.env['CONSUMER_PACKAGE_ROOT'] ?? resolve(__dirname, '../..'),
);
const TEMPLATE = join(__dirname, 'consumer-app');

/** Public packages the app depends on, at the ranges this repository declares for them. */
const DEPENDENCIES = [
  'koa',
  '@koa/router',
  'routing-controllers',
  'typedi',
  'reflect-metadata',
  'class-transformer',
  'class-validator',
  'ioredis',
];
/**
 * `@types/redis-errors`: ioredis 6.1's declarations import `redis-errors` without installing
 * its types, so a project that checks libraries (no `skipLibCheck`, as this one) adds them
 * (the README's Install says so).
 */
const DEV_DEPENDENCIES = ['typescript', '@types/koa', '@types/node', '@types/redis-errors'];

/** Bounds on the slow steps, so that the spec fails rather than hangs. */
const PACK_MS = 20_000;
const INSTALL_MS = 60_000;
const COMPILE_MS = 30_000;

export interface ConsumerProject {
  dir: string;
  /** tsc's errors, by file relative to the project (`src/wiring/manual.ts`). */
  compileErrors: Map<string, string[]>;
  remove(): void;
}

/**
 * A temporary project outside the repository with the packed package and public packages
 * only, installed from the (warm) npm cache, the app template copied in and compiled with
 * the project's own tsc. Compile errors are returned, not thrown: tsc still emits, and each
 * wiring order decides whether the errors concern it.
 */
export async function buildConsumerProject(): Promise<ConsumerProject> {
  if (!existsSync(join(PACKAGE_ROOT, 'dist', 'index.js'))) {
    throw new Error(
      `${PACKAGE_ROOT}/dist is missing: \`npm test\` builds it first (pretest); run \`npm run build\``,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'fastcore-consumer-app-'));
  const remove = (): void => {
    if (process.env['KEEP_CONSUMER_APP']) process.stderr.write(`  consumer app kept in ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  };
  try {
    const tarball = await pack(dir);
    cpSync(TEMPLATE, dir, { recursive: true, filter: (source) => !source.endsWith('README.md') });
    writeFileSync(join(dir, 'package.json'), JSON.stringify(packageJson(tarball), null, 2));
    await step(
      'npm install',
      INSTALL_MS,
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'],
      dir,
    );
    return { dir, compileErrors: await compile(dir), remove };
  } catch (error) {
    remove();
    throw error;
  }
}

async function pack(dir: string): Promise<string> {
  const { stdout } = await step(
    'npm pack',
    PACK_MS,
    'npm',
    ['pack', '--json', '--pack-destination', dir, '--loglevel=error'],
    PACKAGE_ROOT,
  );
  const [packed] = JSON.parse(stdout) as { filename: string }[];
  if (packed === undefined) throw new Error('npm pack wrote no tarball');
  return join(dir, packed.filename);
}

function packageJson(tarball: string): object {
  const repo = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as Record<
    'dependencies' | 'devDependencies' | 'peerDependencies',
    Record<string, string>
  >;
  const range = (name: string): [string, string] => {
    const declared =
      repo.peerDependencies[name] ?? repo.dependencies[name] ?? repo.devDependencies[name];
    if (declared === undefined) throw new Error(`the repository declares no range for ${name}`);
    return [name, declared];
  };
  return {
    name: 'fastcore-consumer-app',
    private: true,
    dependencies: {
      '@fastcore/security': `file:${tarball}`,
      ...Object.fromEntries(DEPENDENCIES.map(range)),
    },
    devDependencies: Object.fromEntries(DEV_DEPENDENCIES.map(range)),
  };
}

async function compile(dir: string): Promise<Map<string, string[]>> {
  const tsc = join(dir, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    await run(process.execPath, [tsc, '-p', '.', '--pretty', 'false'], {
      cwd: dir,
      timeout: COMPILE_MS,
    });
    return new Map();
  } catch (error) {
    const failed = error as ExecFailure;
    if (failed.killed)
      throw new Error(`tsc took longer than ${COMPILE_MS / 1000} s`, { cause: error });
    const output = failed.stdout ?? '';
    if (!/error TS\d+/.test(output))
      throw new Error(`tsc failed: ${failed.stderr ?? ''}`, { cause: error });
    return errorsByFile(output);
  }
}

function errorsByFile(output: string): Map<string, string[]> {
  const errors = new Map<string, string[]>();
  let file = 'tsc';
  for (const line of output.split('\n').filter((text) => text.trim() !== '')) {
    // An error starts `path(line,col): error TSnnnn`; its indented lines continue it.
    file = /^([^(\s][^(]*)\(\d+,\d+\): error TS\d+/.exec(line)?.[1] ?? file;
    errors.set(file, [...(errors.get(file) ?? []), line.trim()]);
  }
  return errors;
}

type ExecFailure = { killed?: boolean; stdout?: string; stderr?: string };

/** Runs a command with a time bound; the error names the step, its output and the bound. */
async function step(
  name: string,
  timeout: number,
  command: string,
  args: string[],
  cwd: string,
): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run(command, args, { cwd, timeout, env: cleanEnv(), maxBuffer: 16 << 20 });
  } catch (error) {
    const failed = error as ExecFailure;
    if (failed.killed)
      throw new Error(`${name} took longer than ${timeout / 1000} s`, { cause: error });
    throw new Error(`${name} failed: ${failed.stderr ?? ''}${failed.stdout ?? ''}`, {
      cause: error,
    });
  }
}

/**
 * The environment without what `npm test` adds (npm_package_*, npm_config_local_prefix, …):
 * a nested npm would otherwise take this repository for its project. The cache and the user
 * config stay, so the warm cache and any registry setting are used.
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const kept = new Set(['npm_config_cache', 'npm_config_userconfig', 'npm_config_registry']);
  return Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) || kept.has(key)),
  );
}
