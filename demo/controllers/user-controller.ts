import type { Context } from 'koa';
import {
  Authorized,
  Body,
  Ctx,
  CurrentUser,
  Get,
  JsonController,
  OnUndefined,
  Put,
} from 'routing-controllers';
import { Service } from 'typedi';
import type { DemoUser, PublicUser } from '../users/demo-user';
import { toPublicUser } from '../users/demo-user';
import { DemoUserAuthentication } from '../users/demo-user-authentication';
import { PasswordChangeBody } from '../dto/auth-bodies';
import { PLAIN_JSON } from './plain-json';

/** The signed-in user's own resources. */
@Service()
@Authorized()
@JsonController('/users/me')
export class UserController {
  constructor(private readonly users: DemoUserAuthentication) {}

  @Get('', PLAIN_JSON)
  me(@CurrentUser({ required: true }) user: DemoUser): PublicUser {
    return toPublicUser(user);
  }

  @Put('/password')
  @OnUndefined(204)
  async changePassword(
    @CurrentUser({ required: true }) user: DemoUser,
    @Body() body: PasswordChangeBody,
    @Ctx() ctx: Context,
  ): Promise<void> {
    await this.users.changePassword(user, body.current_password, body.new_password, {
      address: ctx.ip,
    });
  }
}
