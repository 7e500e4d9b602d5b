import type { Environment } from '../../src/config/env-reader';

/** A 64-byte random-looking key: valid for HS256, HS384 and HS512. */
export const TEST_SECRET_KEY = 'k7Qz9vR2mX4pL8sT1wY6bN3cF5hJ0aD2gE7iK9oU4rM1nB8vC6xZ3qW5tS0yP2lA';

/** The smallest valid environment, with the cheapest bcrypt cost the library accepts. */
export function testEnvironment(overrides: Environment = {}): Environment {
  return { SECRET_KEY: TEST_SECRET_KEY, BCRYPT_ROUNDS: '4', ...overrides };
}
