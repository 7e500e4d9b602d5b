/** One line on stderr: an event name and the name of what went wrong, never a message. */
export function logLine(event: string, detail: string): void {
  process.stderr.write(`${event} ${detail}\n`);
}

/** The error layer's `onServerError`: the error's name only (its message may quote input). */
export function onServerError(error: unknown): void {
  logLine('server_error', error instanceof Error ? error.name : typeof error);
}
