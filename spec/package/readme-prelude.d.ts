// The application's own names that README.md's TypeScript blocks use without defining them.
// spec/package/readme-snippets.spec.ts compiles every block with the names it uses from here
// (a block's own declarations win). Keep it small: a block that can import or define a name
// itself should. '@fastcore/security' is the built package (dist/), as the spec resolves it.
import type { BaseAppSettings, BaseUserAuthentication, Principal } from '@fastcore/security';

/** A row of the application's `users` table. */
export interface User {
  id: string;
  email: string;
  hashed_password: string;
  roles: string[];
  is_active: boolean;
  email_verified: boolean;
  /** The second-factor record the library wrote, or null. */
  mfa: string | null;
}

/** The application's user repository. */
export declare const users: {
  /** `email` is lower case. */
  findByEmail(email: string): Promise<User | undefined>;
  findById(id: string): Promise<User | undefined>;
  setHash(id: string, hash: string): Promise<void>;
  /** `UPDATE … SET hashed_password = $3 WHERE id = $1 AND hashed_password = $2`: rows changed. */
  replaceHash(id: string, expected: string, hash: string): Promise<number>;
  /** `UPDATE … SET email_verified = true WHERE id = $1 AND email = $2 AND NOT email_verified`: rows changed. */
  markVerified(id: string, email: string): Promise<number>;
  /** `UPDATE … SET mfa = $3 WHERE id = $1 AND mfa IS NOT DISTINCT FROM $2`: rows changed. */
  replaceMfa(id: string, expected: string | null, next: string | null): Promise<number>;
};

/** The second step's fields of a request: the login's challenge, and the typed code. */
export declare const challenge: string;
export declare const code: string;

/** The application's mail sender (nodemailer's `sendMail`, say). */
export declare const mailer: {
  send(message: { to: string; subject: string; text: string }): Promise<void>;
};

/** The application's settings (README, Settings: `AppSettings`). */
export declare class AppSettings extends BaseAppSettings {
  readonly DATABASE_URL: string | undefined;
}
export declare const settings: AppSettings;

/** The application's user lookup (README, The login workflow). */
export declare const DatabaseUserAuthentication: new () => BaseUserAuthentication<User>;
export declare const userAuthentication: BaseUserAuthentication<User>;

/** The application's controller classes. */
export declare class UserController {}
export declare const controllers: (new (...args: never[]) => object)[];

/** The application's logger. */
export declare const log: {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
};

/** What one request brings: the signed-in user, and the fields of its body. */
export declare const user: User;
export declare const principal: Principal<User>;
export declare const username: string;
export declare const password: string;
export declare const refreshToken: string;
export declare const currentPassword: string;
export declare const newPassword: string;
