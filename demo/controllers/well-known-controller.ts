import type { Context } from 'koa';
import { Ctx, Get, JsonController } from 'routing-controllers';
import { Service } from 'typedi';
import type { JsonWebKeySet } from '../../src';
import { TokenService } from '../../src';

/**
 * The public verification keys (RFC 7517), for other services that verify this demo's
 * tokens: current and previous keys for RS*, PS* and ES*; empty for HS*, whose key is
 * secret. Cacheable for five minutes: a new key is published before it signs (see the
 * README's rotation steps), so a verifier's cache never misses a key in use.
 */
@Service()
@JsonController('/.well-known')
export class WellKnownController {
  constructor(private readonly tokens: TokenService) {}

  @Get('/jwks.json')
  jwks(@Ctx() ctx: Context): JsonWebKeySet {
    ctx.set('Cache-Control', 'public, max-age=300');
    return this.tokens.jwks();
  }
}
