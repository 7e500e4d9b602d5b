/** One PEM block: the armour lines and the base64 between them. */
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g;

/**
 * PEM text as configured: environment files often carry a PEM on one line with literal
 * `\n` escapes, so those become line breaks when the value has no real line break.
 */
export function normalizePem(value: string): string {
  return value.includes('\n') ? value : value.replace(/\\n/g, '\n');
}

/** The PEM blocks in a text that may hold several (a list of public keys). */
export function pemBlocks(value: string): string[] {
  return normalizePem(value).match(PEM_BLOCK) ?? [];
}
