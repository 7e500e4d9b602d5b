import { Authorized, Get, JsonController } from 'routing-controllers';
import { Service } from 'typedi';
import type { PublicUser } from '../users/demo-user';
import { toPublicUser } from '../users/demo-user';
import { DemoUserAuthentication } from '../users/demo-user-authentication';
import { PLAIN_JSON } from './plain-json';

/** Administration: the `admin` role only. */
@Service()
@Authorized('admin')
@JsonController('/admin')
export class AdminController {
  constructor(private readonly users: DemoUserAuthentication) {}

  @Get('/users', PLAIN_JSON)
  async list(): Promise<PublicUser[]> {
    return (await this.users.store.list()).map(toPublicUser);
  }
}
