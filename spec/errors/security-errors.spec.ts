import { expect } from 'chai';
import {
  ConfigurationError,
  ForbiddenError,
  InvalidCredentialsError,
  InvalidTokenError,
  PasswordPolicyError,
  SecurityError,
  StoreUnavailableError,
  TokenExpiredError,
  TokenRevokedError,
  WrongTokenTypeError,
} from '../../src/errors/security-errors';

describe('security errors', () => {
  const cases: [SecurityError, string][] = [
    [new InvalidTokenError('signature'), 'ERR_TOKEN_INVALID'],
    [new TokenExpiredError(), 'ERR_TOKEN_EXPIRED'],
    [new TokenRevokedError(), 'ERR_TOKEN_REVOKED'],
    [new WrongTokenTypeError(), 'ERR_TOKEN_WRONG_TYPE'],
    [new InvalidCredentialsError(), 'ERR_INVALID_CREDENTIALS'],
    [new ForbiddenError(), 'ERR_FORBIDDEN'],
    [
      new PasswordPolicyError('too_short', 'The password must be at least 8 characters.'),
      'ERR_PASSWORD_POLICY',
    ],
    [new ConfigurationError('SECRET_KEY', 'is required'), 'ERR_CONFIGURATION'],
    [new StoreUnavailableError(), 'ERR_STORE_UNAVAILABLE'],
  ];

  for (const [error, code] of cases) {
    it(`${error.name} has the code ${code} and serialises to code and message only`, () => {
      expect(error.code).to.equal(code);
      expect(error.name).to.equal(error.constructor.name);
      expect(JSON.parse(JSON.stringify(error))).to.deep.equal({ code, message: error.message });
    });
  }

  it('every token failure is an InvalidTokenError, so one catch maps them all to 401', () => {
    for (const error of [
      new TokenExpiredError(),
      new TokenRevokedError(),
      new WrongTokenTypeError(),
    ]) {
      expect(error).to.be.instanceOf(InvalidTokenError);
    }
    expect(new InvalidCredentialsError()).not.to.be.instanceOf(InvalidTokenError);
  });

  it('a configuration error names the variable and the rule', () => {
    const error = new ConfigurationError('BCRYPT_ROUNDS', 'must be an integer from 4 to 15');
    expect(error.message).to.equal('BCRYPT_ROUNDS must be an integer from 4 to 15');
    expect(error.variable).to.equal('BCRYPT_ROUNDS');
  });
});
