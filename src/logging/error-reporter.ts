/**
 * Told of an unexpected error: a defect or a failing collaborator that the library answered
 * without giving up (a 500, a hash upgrade that could not be stored). `event` is a fixed
 * name such as `server_error`.
 */
export type ErrorReporter = (event: string, error: unknown) => void;

/** Secrets an error's text may quote, each masked with what it is. */
const MASKS: readonly [RegExp, string][] = [
  // A compact JWS (a token).
  [/[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, '[token]'],
  // A bcrypt hash (an ORM's message may quote the row it failed to write).
  [/\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}/g, '[hash]'],
  // The value after a password-like name, as a JSON parser or a driver quotes it.
  [
    /((?:password|passwd|secret|token|authorization)["']?\s*[:=]\s*)("[^"]*"?|'[^']*'?|[^\s,;}]+)/gi,
    '$1[masked]',
  ],
];

/**
 * The default reporter: one JSON line on stderr with the event and the error's name, message
 * and stack (token-shaped text, bcrypt hashes and password-like values masked), so that no
 * unexpected error goes unseen.
 */
export const stderrErrorReporter: ErrorReporter = (event, error) => {
  process.stderr.write(`${formatErrorLine(event, error)}\n`);
};

/** The one line `stderrErrorReporter` writes. */
export function formatErrorLine(event: string, error: unknown): string {
  const fields =
    error instanceof Error
      ? { name: textOf(error.name), message: textOf(error.message), stack: textOf(error.stack) }
      : { name: typeof error, message: '', stack: undefined };
  const line = JSON.stringify({
    level: 'error',
    source: '@fastcore/security',
    event,
    name: fields.name,
    message: mask(fields.message),
    stack: mask(fields.stack),
  });
  // JSON escapes \n and \r; these line separators too end a line for some log readers.
  return line.replace(
    /[\u2028\u2029\u0085]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Any field as text: an error's `message` may be anything a thrower put there. */
function textOf(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : typeof value;
}

function mask(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  let masked = text;
  for (const [pattern, replacement] of MASKS) masked = masked.replace(pattern, replacement);
  return masked;
}
