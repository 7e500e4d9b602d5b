import { Get, JsonController } from 'routing-controllers';
import { Service } from 'typedi';

/** Public verification keys. HS* keys are secret, so the set is empty. */
@Service()
@JsonController('/.well-known')
export class WellKnownController {
  @Get('/jwks.json')
  jwks(): { keys: unknown[] } {
    return { keys: [] };
  }
}
