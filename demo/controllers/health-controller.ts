import { Get, JsonController } from 'routing-controllers';
import { Service } from 'typedi';
import { PLAIN_JSON } from './plain-json';

@Service()
@JsonController()
export class HealthController {
  @Get('/health', PLAIN_JSON)
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
