import { Authorized, Get, JsonController, NotFoundError, Param } from 'routing-controllers';
import { OpenAPI } from 'routing-controllers-openapi';
import { Inject, Service } from 'typedi';
import type { Principal } from '../../src';
import { ACCESS_POLICY, AccessPolicy, CurrentPrincipal } from '../../src';
import type { PublicUser } from '../users/demo-user';
import { toPublicUser } from '../users/demo-user';
import { DemoUserAuthentication } from '../users/demo-user-authentication';
import { PLAIN_JSON } from './plain-json';

/** A user id as the stores issue them: a positive integer, in decimal. */
const USER_ID = /^[1-9]\d{0,15}$/;

/** One user's record: an object-level check, "only that user or an admin". */
@Service()
@JsonController('/users')
export class UserRecordController {
  constructor(
    private readonly users: DemoUserAuthentication,
    @Inject(ACCESS_POLICY) private readonly policy: AccessPolicy,
  ) {}

  /**
   * The owner, or anyone granted `users:read` (admins). Anyone else gets 403 before the
   * lookup, so that the answer does not tell whether another id exists.
   */
  @Authorized()
  @Get('/:id', PLAIN_JSON)
  @OpenAPI({
    description:
      'Only that user, or a user granted `users:read` (admins). Anyone else gets 403 before the lookup: 404 (no such user) is shown only to those granted `users:read`.',
  })
  async record(
    @Param('id') id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<PublicUser> {
    if (!USER_ID.test(id)) throw new NotFoundError();
    this.policy.assertOwnerOr(principal, id, ['users:read']);
    const user = await this.users.getUserById(id);
    if (user === null || user === undefined) throw new NotFoundError();
    return toPublicUser(user);
  }
}
