// `npm run bench`: every benchmark in one run, printed as tables and written to
// bench/RESULTS.md with the machine and the versions. Not a test: numbers, not verdicts.
import 'reflect-metadata';
import { fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { httpThroughput, loginStorm } from './http-throughput';
import type { Row } from './stats';
import { formatNumber, table } from './stats';
import { tokenOperations } from './token-ops';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 3);
const REDIS_URL = process.env['BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** A dependency's version, read from its package.json in node_modules. */
function version(name: string): string {
  try {
    const manifest = readFileSync(
      resolve(__dirname, '..', 'node_modules', name, 'package.json'),
      'utf8',
    );
    return (JSON.parse(manifest) as { version: string }).version;
  } catch {
    return '?';
  }
}

async function storeMemory(): Promise<Row[]> {
  const child = fork(resolve(__dirname, 'store-memory.ts'), [], {
    execArgv: ['--expose-gc', '-r', 'ts-node/register/transpile-only'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const result = await new Promise<{
    before: number;
    full: number;
    swept: number;
    entriesAfter: number;
  }>((done) => child.once('message', done));
  child.kill();
  return [
    {
      measure: 'MemoryRevocationStore heap, MB',
      empty: result.before,
      'after 1,000,000 revocations': result.full,
      'after they expire and are swept': result.swept,
      'entries left': result.entriesAfter,
    },
  ];
}

async function main(): Promise<void> {
  const sections: [string, Row[]][] = [];
  const section = (title: string, rows: Row[]) => {
    sections.push([title, rows]);
    process.stdout.write(`\n## ${title}\n\n${table(rows)}\n`);
  };
  section('(a) Token sign and verify, HS256', await tokenOperations(ROUNDS * 3));
  section(
    `(b, c) HTTP, 50 connections, ${SECONDS} s × ${ROUNDS} interleaved rounds (autocannon in the runner process)`,
    await httpThroughput(ROUNDS, SECONDS, REDIS_URL),
  );
  section('(d) Event-loop lag during a login storm', await loginStorm());
  section('(e) Memory of the in-memory revocation store', await storeMemory());

  const cpu = cpus()[0]?.model ?? 'unknown';
  const machine = [
    `- machine: ${cpus().length} × ${cpu}, ${formatNumber(totalmem() / 1024 ** 3)} GiB`,
    `- node ${process.version}; jsonwebtoken ${version('jsonwebtoken')}, fast-jwt ${version('fast-jwt')}, jose ${version('jose')}, koa ${version('koa')}, routing-controllers ${version('routing-controllers')}, koa-jwt ${version('koa-jwt')}, passport-jwt ${version('passport-jwt')}, ioredis ${version('ioredis')}, autocannon ${version('autocannon')}`,
    `- date: ${new Date().toISOString()}; medians of interleaved rounds; ratios within this one run`,
  ].join('\n');
  const body = sections.map(([title, rows]) => `## ${title}\n\n${table(rows)}\n`).join('\n');
  writeFileSync(resolve(__dirname, 'RESULTS.md'), `# Benchmark results\n\n${machine}\n\n${body}`);
  process.stdout.write(`\nwritten to bench/RESULTS.md\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
