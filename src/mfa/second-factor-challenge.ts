import type { TokenPair } from '../tokens/token-pair';

/**
 * What a login answers instead of a token pair when the user has a second factor: a
 * short-lived token for the second step alone (`POST /auth/2fa/verify`), never an access
 * token.
 */
export interface SecondFactorChallenge {
  mfa_required: true;
  challenge: string;
}

/** What the first step of a login gives: a token pair, or the second step's challenge. */
export type LoginOutcome = TokenPair | SecondFactorChallenge;

/** Whether a login's outcome is the challenge of a second step. */
export function isSecondFactorChallenge(outcome: LoginOutcome): outcome is SecondFactorChallenge {
  return (outcome as Partial<SecondFactorChallenge>).mfa_required === true;
}
