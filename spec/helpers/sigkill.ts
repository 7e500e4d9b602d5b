import type { ChildProcess } from 'node:child_process';

/** SIGKILL, as in a crash, resolved once the process has exited (at once if it already has). */
export function sigkill(child: ChildProcess): Promise<void> {
  return new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGKILL');
  });
}
