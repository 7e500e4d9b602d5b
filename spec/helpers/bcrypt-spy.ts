import bcrypt from 'bcrypt';

/** One call to `bcrypt.compare`, as recorded by `spyOnBcryptCompare`. */
export interface CompareCall {
  input: string;
  hash: string;
}

/**
 * Records every `bcrypt.compare` while a test runs (the library calls it through the
 * module object, so replacing the property is seen). Call `restore()` in `afterEach`.
 */
export function spyOnBcryptCompare(): { calls: CompareCall[]; restore: () => void } {
  const original = bcrypt.compare.bind(bcrypt);
  const calls: CompareCall[] = [];
  const spy = (input: string | Buffer, hash: string): Promise<boolean> => {
    calls.push({ input: String(input), hash });
    return original(input, hash);
  };
  (bcrypt as { compare: unknown }).compare = spy;
  return {
    calls,
    restore: () => {
      (bcrypt as { compare: unknown }).compare = original;
    },
  };
}
