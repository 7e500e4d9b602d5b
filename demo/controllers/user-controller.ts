import { Authorized, CurrentUser, Get, JsonController } from 'routing-controllers';
import { Service } from 'typedi';
import type { DemoUser, PublicUser } from '../users/demo-user';
import { toPublicUser } from '../users/demo-user';
import { PLAIN_JSON } from './plain-json';

/** The signed-in user's own resources (the password change is one of the library's auth routes). */
@Service()
@Authorized()
@JsonController('/users/me')
export class UserController {
  @Get('', PLAIN_JSON)
  me(@CurrentUser({ required: true }) user: DemoUser): PublicUser {
    return toPublicUser(user);
  }
}
