import { Authorized, CurrentUser, Get, JsonController } from 'routing-controllers';
import { Service } from 'typedi';
import type { PublicUser, User } from '../users';
import { toPublicUser } from '../users';

/** The signed-in user. */
@Service()
@Authorized()
@JsonController('/users/me')
export class UserController {
  @Get()
  me(@CurrentUser({ required: true }) user: User): PublicUser {
    return toPublicUser(user);
  }
}
