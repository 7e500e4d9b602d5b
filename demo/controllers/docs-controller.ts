import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from 'koa';
import { Controller, Ctx, Get, NotFoundError, Param } from 'routing-controllers';
import { absolutePath } from 'swagger-ui-dist';
import { Inject, Service } from 'typedi';
import type { BaseAppSettings } from '../../src';
import { SECURITY_SETTINGS } from '../../src';
import { cookieNames } from '../../src/advanced';
import { DEMO_OPERATIONS } from '../openapi/demo-operations';
import { buildOpenApiDocument } from '../openapi/openapi-document';
import { API_CONTROLLERS } from './demo-controllers';

const ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css',
  'swagger-ui-bundle.js': 'application/javascript',
  'swagger-ui-standalone-preset.js': 'application/javascript',
  'oauth2-redirect.html': 'text/html',
  'oauth2-redirect.js': 'application/javascript',
  'favicon-32x32.png': 'image/png',
};

/** `.logo_small_svg__cls-2{fill:#fff}.logo_small_svg__cls-3{fill:#85ea2d}`, swagger-ui-dist 5. */
const SWAGGER_LOGO_STYLE_HASH = 'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w=';

/**
 * Swagger UI's page and assets: its own scripts and style sheets only (the page has no inline
 * script: the initializer is a file of its own), images of its own or inline SVG, requests
 * to this origin only, never framed.
 */
export const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  // And the one <style> element of Swagger UI's logo (an inline SVG), by its hash: the
  // browser spec sees a violation should an upgrade of swagger-ui-dist change it.
  `style-src 'self' '${SWAGGER_LOGO_STYLE_HASH}'`,
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>@fastcore/security demo</title>
<link rel="stylesheet" href="/docs/swagger-ui.css"><link rel="icon" href="/docs/favicon-32x32.png"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/swagger-ui-standalone-preset.js"></script>
<script src="/docs/initializer.js"></script>
</body></html>`;

const INITIALIZER = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout',
  oauth2RedirectUrl: window.location.origin + '/docs/oauth2-redirect.html',
  validatorUrl: null,
});`;

/** `/openapi.json` and Swagger UI at `/docs`, from the swagger-ui-dist package. */
@Service()
@Controller()
export class DocsController {
  private readonly document: object;

  constructor(@Inject(SECURITY_SETTINGS) settings: BaseAppSettings) {
    const names = cookieNames(settings.cookies);
    this.document = buildOpenApiDocument(API_CONTROLLERS, DEMO_OPERATIONS, {
      cookies: { accessCookieName: names.access, refreshCookieName: names.refresh },
    });
  }

  @Get('/openapi.json')
  openapi(@Ctx() ctx: Context): string {
    ctx.type = 'application/json';
    return JSON.stringify(this.document);
  }

  @Get('/docs')
  page(@Ctx() ctx: Context): string {
    ctx.type = 'text/html';
    ctx.set('Content-Security-Policy', DOCS_CONTENT_SECURITY_POLICY);
    return PAGE;
  }

  @Get('/docs/initializer.js')
  initializer(@Ctx() ctx: Context): string {
    ctx.type = 'application/javascript';
    return INITIALIZER;
  }

  @Get('/docs/:asset')
  async asset(@Param('asset') asset: string, @Ctx() ctx: Context): Promise<Buffer> {
    const type = Object.hasOwn(ASSETS, asset) ? ASSETS[asset] : undefined;
    if (type === undefined) throw new NotFoundError();
    ctx.type = type;
    // oauth2-redirect.html is a page too.
    ctx.set('Content-Security-Policy', DOCS_CONTENT_SECURITY_POLICY);
    return readFile(join(absolutePath(), asset));
  }
}
