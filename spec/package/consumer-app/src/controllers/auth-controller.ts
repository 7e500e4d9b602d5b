import type { Context } from 'koa';
import {
  Authorized,
  Body,
  Ctx,
  Header,
  JsonController,
  OnUndefined,
  Post,
} from 'routing-controllers';
import { Inject, Service } from 'typedi';
import type { Principal, TokenPair } from '@fastcore/security';
import { CurrentPrincipal, USER_AUTHENTICATION } from '@fastcore/security';
import { DatabaseUserAuthentication } from '../database-user-authentication';
import type { User } from '../users';
import { LoginBody, RefreshBody } from './bodies';

/** Login, refresh and logout, through the workflow the container holds. */
@Service()
@JsonController('/auth')
export class AuthController {
  constructor(@Inject(USER_AUTHENTICATION) private readonly users: DatabaseUserAuthentication) {}

  @Post('/login')
  @Header('Cache-Control', 'no-store')
  login(@Body() body: LoginBody, @Ctx() ctx: Context): Promise<TokenPair> {
    return this.users.login(body.username, body.password, { address: ctx.ip });
  }

  @Post('/refresh')
  @Header('Cache-Control', 'no-store')
  refresh(@Body() body: RefreshBody, @Ctx() ctx: Context): Promise<TokenPair> {
    return this.users.refresh(body.refresh_token, { address: ctx.ip });
  }

  /** Ends the session: this access token and its refresh family. */
  @Authorized()
  @Post('/logout')
  @OnUndefined(204)
  async logout(@CurrentPrincipal() principal: Principal<User>, @Ctx() ctx: Context): Promise<void> {
    await this.users.logout(principal.claims, undefined, { address: ctx.ip });
  }
}
