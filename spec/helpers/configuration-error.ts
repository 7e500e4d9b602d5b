import { expect } from 'chai';
import { ConfigurationError } from '../../src/errors/security-errors';

/** The `ConfigurationError` that `build` throws; fails the spec when it throws nothing else. */
export function configurationErrorOf(build: () => unknown): ConfigurationError {
  try {
    build();
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error('expected a ConfigurationError');
}
