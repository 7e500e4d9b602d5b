import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Context } from 'koa';
import { Controller, Ctx, Get, NotFoundError, Param } from 'routing-controllers';
import { Service } from 'typedi';

/** Where the page's files are: `demo/app/`, served as they are (no build step). */
const APP_DIRECTORY = join(__dirname, '..', 'app');

/** The page's assets by their name in the URL, with their types: nothing else is served. */
const ASSETS: Readonly<Record<string, string>> = {
  'app.js': 'text/javascript',
  'app.css': 'text/css',
  'qrcode.mjs': 'text/javascript',
};

/** Assets served from a package rather than from `demo/app/`. */
const PACKAGE_ASSETS: Readonly<Record<string, string>> = {
  // The QR code of a TOTP enrolment, drawn by the page (the secret never leaves it).
  'qrcode.mjs': join(dirname(require.resolve('qrcode-generator')), 'qrcode.mjs'),
};

/** The page's own paths beside `/app/`: where the links of account mails lead. */
const PAGE_PATHS = new Set(['verify-email', 'reset-password']);

/**
 * The page at `/app/`: its own script and style sheet only, nothing inline, requests to this
 * origin only (the API), its form posting nowhere else, never framed. Trusted Types make
 * `innerHTML` and the other HTML sinks throw, so no text from the API can become markup.
 */
export const APP_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
].join('; ');

/**
 * The browser page of the demo (`demo/app/`): log in through the cookie routes, see the user,
 * log out. Not an API controller: the OpenAPI document does not describe it.
 */
@Service()
@Controller('/app')
export class AppPageController {
  /** `/app/`; routing-controllers routes `/app` here too, which is sent on to `/app/`. */
  @Get('/')
  async page(@Ctx() ctx: Context): Promise<Buffer | Context> {
    if (!ctx.path.endsWith('/')) {
      ctx.status = 301;
      ctx.redirect('/app/');
      return ctx; // the answer is made: routing-controllers leaves it as it is
    }
    return this.html(ctx, 'no-cache');
  }

  /**
   * An asset by its exact name: a name not in `ASSETS` (`..`, `%2F`, …) is 404, never a path.
   * `/app/verify-email` and `/app/reset-password` (the mailed links, `?token=…`) are the page.
   */
  @Get('/:asset')
  async asset(@Param('asset') asset: string, @Ctx() ctx: Context): Promise<Buffer> {
    // Not kept in a cache: their URL carries the link's token.
    if (PAGE_PATHS.has(asset)) return this.html(ctx, 'no-store');
    const type = Object.hasOwn(ASSETS, asset) ? ASSETS[asset] : undefined;
    if (type === undefined) throw new NotFoundError();
    ctx.type = type;
    ctx.set('Cache-Control', 'no-cache');
    return readFile(PACKAGE_ASSETS[asset] ?? join(APP_DIRECTORY, asset));
  }

  private html(ctx: Context, cacheControl: 'no-cache' | 'no-store'): Promise<Buffer> {
    ctx.type = 'text/html';
    ctx.set('Content-Security-Policy', APP_CONTENT_SECURITY_POLICY);
    ctx.set('Cache-Control', cacheControl);
    return readFile(join(APP_DIRECTORY, 'index.html'));
  }
}
