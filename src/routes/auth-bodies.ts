import { Allow, Equals, IsEmail, IsOptional, IsString, MaxLength } from 'class-validator';
import { MAX_PASSWORD_LENGTH } from '../password/password-policy';
import { MAX_TOKEN_LENGTH } from '../tokens/jws-shape';

/** Longer than any code (six digits, or a recovery code with spaces). */
const MAX_CODE_LENGTH = 32;

/**
 * The auth routes' request bodies, JSON or form-encoded (the OAuth2 password and refresh
 * grants' forms). Unknown fields (such as `roles`) are stripped by the
 * validation whitelist; a non-string where a string is expected is a 400.
 */

/** `POST /auth/login`: the OAuth2 password grant's fields. */
export class LoginBody {
  @IsString()
  @MaxLength(320)
  username!: string;

  @IsString()
  @MaxLength(MAX_PASSWORD_LENGTH)
  password!: string;

  @IsOptional()
  @Equals('password')
  grant_type?: string;
}

/** `POST /auth/refresh`: the OAuth2 refresh grant's fields. */
export class RefreshBody {
  @IsString()
  refresh_token!: string;

  @IsOptional()
  @Equals('refresh_token')
  grant_type?: string;
}

/** `POST /auth/register`: roles never come from a request. */
export class RegisterBody {
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @IsString()
  password!: string;
}

/** `POST /auth/logout`: a refresh token to end with the session, if any (anything else is ignored). */
export class LogoutBody {
  // Optional in the OpenAPI schema too (class-validator-jsonschema reads @IsOptional).
  @IsOptional()
  @Allow()
  refresh_token?: unknown;
}

/** `PUT /users/me/password`: the current password confirms the change. */
export class PasswordChangeBody {
  @IsString()
  @MaxLength(MAX_PASSWORD_LENGTH)
  current_password!: string;

  @IsString()
  new_password!: string;
}

/** `POST /auth/verify-email`: the token of the link. */
export class VerifyEmailBody {
  @IsString()
  @MaxLength(MAX_TOKEN_LENGTH)
  token!: string;
}

/** `POST /auth/forgot-password`: the account's email (answered the same whether it has one). */
export class ForgotPasswordBody {
  @IsEmail()
  @MaxLength(254)
  email!: string;
}

/** `POST /auth/2fa/confirm` and `/auth/2fa/disable`: a code from the authenticator. */
export class SecondFactorCodeBody {
  @IsString()
  @MaxLength(MAX_CODE_LENGTH)
  code!: string;
}

/** `POST /auth/2fa/verify`: the login's challenge, and a code (or a recovery code). */
export class SecondFactorVerifyBody {
  @IsString()
  @MaxLength(MAX_TOKEN_LENGTH)
  challenge!: string;

  @IsString()
  @MaxLength(MAX_CODE_LENGTH)
  code!: string;
}

/** `POST /auth/reset-password`: the token of the link, and the new password. */
export class ResetPasswordBody {
  @IsString()
  @MaxLength(MAX_TOKEN_LENGTH)
  token!: string;

  @IsString()
  new_password!: string;
}
