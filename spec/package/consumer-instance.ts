import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../helpers/private-redis';

/** Bounded wait for a real process to answer: not a clock-based rule under test. */
const START_MS = 10_000;

/** Instances still running, killed if the spec process exits without its `after` hooks. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface Answer {
  status: number;
  /** The JSON body (`{}` when there is none). */
  body: Record<string, unknown>;
  /** The `Set-Cookie` headers, as sent. */
  setCookies: string[];
}

/** One instance of the compiled consumer app (`node dist/main.js`), on a port of its own. */
export class ConsumerInstance {
  private readonly lines: string[] = [];

  private constructor(
    private readonly child: ChildProcess,
    readonly name: string,
    readonly port: number,
  ) {
    running.add(child);
    const keep = (chunk: Buffer): void => void this.lines.push(chunk.toString('utf8'));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  /** Starts the app with only `env` (and PATH), and waits until it answers HTTP. */
  static async start(
    projectDir: string,
    name: string,
    env: Record<string, string>,
  ): Promise<ConsumerInstance> {
    const port = await freePort();
    const child = spawn(process.execPath, [join(projectDir, 'dist', 'main.js')], {
      cwd: projectDir,
      env: { PATH: process.env['PATH'] ?? '', ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const instance = new ConsumerInstance(child, name, port);
    await instance.waitUntilAnswering();
    return instance;
  }

  /** Everything the process wrote to stdout and stderr. */
  get output(): string {
    return this.lines.join('');
  }

  async request(
    method: 'GET' | 'POST',
    path: string,
    options: { token?: string; body?: object; headers?: Record<string, string> } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`http://127.0.0.1:${this.port}${path}`, {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      setCookies: response.headers.getSetCookie(),
      body: text === '' ? {} : (JSON.parse(text) as Answer['body']),
    };
  }

  login(username: string, password: string): Promise<Answer> {
    return this.request('POST', '/auth/login', { body: { username, password } });
  }

  refresh(refreshToken: string): Promise<Answer> {
    return this.request('POST', '/auth/refresh', { body: { refresh_token: refreshToken } });
  }

  me(accessToken: string): Promise<Answer> {
    return this.request('GET', '/users/me', { token: accessToken });
  }

  logout(accessToken: string): Promise<Answer> {
    return this.request('POST', '/auth/logout', { token: accessToken });
  }

  async stop(): Promise<void> {
    const child = this.child;
    running.delete(child);
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((done) => {
      child.once('exit', () => done());
      child.kill('SIGKILL');
    });
  }

  private async waitUntilAnswering(): Promise<void> {
    const deadline = Date.now() + START_MS;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) {
        throw new Error(
          `instance ${this.name} exited with ${this.child.exitCode}:\n${this.output}`,
        );
      }
      try {
        await fetch(`http://127.0.0.1:${this.port}/users/me`);
        return;
      } catch {
        await new Promise((next) => setTimeout(next, 100));
      }
    }
    await this.stop();
    throw new Error(
      `instance ${this.name} did not answer within ${START_MS / 1000} s:\n${this.output}`,
    );
  }
}
