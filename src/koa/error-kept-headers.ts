import type { Context } from 'koa';

const KEPT = Symbol('fastcore.security.error-kept-headers');

type StateWithKept = Record<typeof KEPT, [string, string][] | undefined>;

/**
 * Appends a header that an error answer keeps too: the error layer drops the headers an
 * action set before failing, then puts these back. For a cookie route that must clear dead
 * cookies even as it answers 401.
 */
export function appendKeptHeader(ctx: Context, name: string, value: string): void {
  ctx.append(name, value);
  const state = ctx.state as StateWithKept;
  (state[KEPT] ??= []).push([name, value]);
}

/** Puts the kept headers back after an error answer dropped the others. */
export function restoreKeptHeaders(ctx: Context): void {
  for (const [name, value] of (ctx.state as StateWithKept)[KEPT] ?? []) ctx.append(name, value);
}
