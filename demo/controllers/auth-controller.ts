import type { Context } from 'koa';
import {
  Authorized,
  Body,
  Ctx,
  CurrentUser,
  Header,
  HttpCode,
  HttpError,
  JsonController,
  OnUndefined,
  Post,
} from 'routing-controllers';
import { Service } from 'typedi';
import type { Principal, TokenPair } from '../../src';
import { CurrentPrincipal } from '../../src';
import type { DemoUser, PublicUser } from '../users/demo-user';
import { toPublicUser } from '../users/demo-user';
import { DemoUserAuthentication } from '../users/demo-user-authentication';
import { LoginBody, LogoutBody, RefreshBody, RegisterBody } from '../dto/auth-bodies';

/** Registration, login, refresh and logout: the OAuth2-style token endpoints. */
@Service()
@JsonController('/auth')
export class AuthController {
  constructor(private readonly users: DemoUserAuthentication) {}

  /** Throttled per client address (`REGISTER_MAX_PER_ADDRESS` an hour) before bcrypt runs. */
  @Post('/register')
  @HttpCode(201)
  async register(@Body() body: RegisterBody, @Ctx() ctx: Context): Promise<PublicUser> {
    const user = await this.users.throttleRegistration({ address: ctx.ip }, () =>
      this.users.register(body.email, body.password),
    );
    if (user === undefined) throw new HttpError(409);
    return toPublicUser(user);
  }

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

  @Authorized()
  @Post('/logout')
  @OnUndefined(204)
  async logout(
    @CurrentPrincipal() principal: Principal<DemoUser>,
    @Body({ required: false }) body: LogoutBody,
    @Ctx() ctx: Context,
  ): Promise<void> {
    await this.users.logout(principal.claims, body?.refresh_token, { address: ctx.ip });
  }

  @Authorized()
  @Post('/logout-all')
  @OnUndefined(204)
  async logoutAll(
    @CurrentUser({ required: true }) user: DemoUser,
    @Ctx() ctx: Context,
  ): Promise<void> {
    await this.users.logoutAll(user, { address: ctx.ip });
  }
}
