/**
 * Told of an unexpected error: a defect or a failing collaborator that the library answered
 * without giving up (a 500, a hash upgrade that could not be stored). `event` is a fixed
 * name such as `server_error`.
 */
export type ErrorReporter = (event: string, error: unknown) => void;

/**
 * Names whose value is a secret: `password_confirmation`, `SECRET_KEY`, `x-api-key`, … The
 * parts around the word are bounded, so that a long message cannot make the match slow.
 */
const SECRET_NAME = String.raw`[\w-]{0,40}?(?:passw(?:or)?d|pwd|secret|token|api[_-]?key|apikey|private[_-]?key|credential|session)[\w-]{0,100}`;

/** A value after such a name: quoted (escaped quotes too), or a bare word. */
const SECRET_VALUE = String.raw`(\\"(?:[^\\]|\\(?!"))*(?:\\")?|"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|[^\s,;&}\]]+)`;

/** Secrets an error's text may quote, each masked with what it is. */
const MASKS: readonly [RegExp, string][] = [
  // A PEM key or certificate block, to its end (or the text's end).
  [/-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(?:-----END [A-Z0-9 ]+-----|$)/g, '[pem]'],
  // A compact JWS or JWT: its header is base64url JSON, so it starts with `eyJ` (`{"`).
  // Cut short too (a message cut at its length limit): the header alone is enough.
  [/eyJ[A-Za-z0-9_-]{5,}(?:\.[A-Za-z0-9_-]*){0,2}/g, '[token]'],
  // Password hashes: bcrypt, and PHC strings (argon2, scrypt, pbkdf2, …).
  [/\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}/g, '[hash]'],
  [/\$(?:argon2(?:id|i|d)|scrypt|pbkdf2(?:-sha\d+)?|7)\$[^\s"';]+/g, '[hash]'],
  // A credential after an HTTP authentication scheme, wherever it is quoted.
  [/\b(Bearer|Basic|Digest|Token|Negotiate)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [masked]'],
  // A cookie header's whole value.
  [/\b((?:set-)?cookie["']?\s*:\s*)[^\r\n]+/gi, '$1[masked]'],
  // The password of a URL's user info (`redis://user:secret@host`).
  [/([a-z][a-z0-9+.-]{0,30}:\/\/[^:/\s@]{0,256}:)[^@\s/]{1,1024}@/gi, '$1[masked]@'],
  // The value after a secret-like name, as a JSON parser, a driver or an env dump quotes it.
  [new RegExp(String.raw`(${SECRET_NAME}\\?["']?\s*[:=]\s*)${SECRET_VALUE}`, 'gi'), '$1[masked]'],
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

/** The longest message or stack kept: a log line, and the work of masking it, stay bounded. */
const MAX_TEXT_LENGTH = 16_384;
/** Longer than any secret a mask matches whole (a bcrypt hash, a URL's user info). */
const MASK_MARGIN = 1024;

function mask(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  // Masked a little beyond the cut, so that a secret across it is masked whole first.
  const cut = text.length > MAX_TEXT_LENGTH;
  let masked = cut ? text.slice(0, MAX_TEXT_LENGTH + MASK_MARGIN) : text;
  for (const [pattern, replacement] of MASKS) masked = masked.replace(pattern, replacement);
  return cut ? `${masked.slice(0, MAX_TEXT_LENGTH)}…[truncated]` : masked;
}
