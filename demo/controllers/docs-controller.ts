import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from 'koa';
import { Controller, Ctx, Get, NotFoundError, Param } from 'routing-controllers';
import { absolutePath } from 'swagger-ui-dist';
import { Service } from 'typedi';
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
});`;

/** `/openapi.json` and Swagger UI at `/docs`, from the swagger-ui-dist package. */
@Service()
@Controller()
export class DocsController {
  private readonly document = buildOpenApiDocument(API_CONTROLLERS);

  @Get('/openapi.json')
  openapi(@Ctx() ctx: Context): string {
    ctx.type = 'application/json';
    return JSON.stringify(this.document);
  }

  @Get('/docs')
  page(@Ctx() ctx: Context): string {
    ctx.type = 'text/html';
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
    return readFile(join(absolutePath(), asset));
  }
}
