/** What an account mail is for. */
export type AccountMailKind = 'verify_email' | 'reset_password';

/**
 * "Send this link to this user": what the library hands the application's
 * `deliverAccountMail`. The application builds the link (its own origin and page, with
 * `token` as a query parameter, say) and sends it; the library never sends mail itself. The
 * token is a secret until it is used: never log it.
 */
export interface AccountMail {
  kind: AccountMailKind;
  /** The address to send it to: the user's email as `getEmail` gives it. */
  to: string;
  /** The single-use token the link carries. */
  token: string;
  /** When the token expires. */
  expiresAt: Date;
}
