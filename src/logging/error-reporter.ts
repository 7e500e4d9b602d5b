/**
 * Told of an unexpected error: a defect or a failing collaborator that the library answered
 * without giving up (a 500, a hash upgrade that could not be stored). `event` is a fixed
 * name such as `server_error`.
 */
export type ErrorReporter = (event: string, error: unknown) => void;

/** Anything shaped like a compact JWS: masked, in case an error message quotes a token. */
const TOKEN_LIKE = /[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g;

/**
 * The default reporter: one JSON line on stderr with the event and the error's name, message
 * and stack (token-shaped text masked), so that no unexpected error goes unseen.
 */
export const stderrErrorReporter: ErrorReporter = (event, error) => {
  process.stderr.write(`${formatErrorLine(event, error)}\n`);
};

/** The one line `stderrErrorReporter` writes. */
export function formatErrorLine(event: string, error: unknown): string {
  const fields =
    error instanceof Error
      ? { name: error.name, message: error.message, stack: error.stack }
      : { name: typeof error, message: '', stack: undefined };
  const mask = (text: string | undefined) => text?.replace(TOKEN_LIKE, '[token]');
  return JSON.stringify({
    level: 'error',
    source: '@fastcore/security',
    event,
    name: fields.name,
    message: mask(fields.message),
    stack: mask(fields.stack),
  });
}
