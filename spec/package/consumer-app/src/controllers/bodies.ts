import { IsString, MaxLength } from 'class-validator';
import { MAX_PASSWORD_LENGTH } from '@fastcore/security';

/** `POST /auth/login`. */
export class LoginBody {
  @IsString()
  @MaxLength(320)
  username!: string;

  @IsString()
  @MaxLength(MAX_PASSWORD_LENGTH)
  password!: string;
}

/** `POST /auth/refresh`. */
export class RefreshBody {
  @IsString()
  refresh_token!: string;
}
