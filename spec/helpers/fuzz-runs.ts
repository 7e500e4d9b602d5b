/**
 * How many cases each property tries: a bounded number in `npm test` (and CI), many more in
 * `npm run fuzz` (FUZZ_RUNS).
 */
export function fuzzRuns(inTests: number): number {
  const configured = Number(process.env['FUZZ_RUNS']);
  return Number.isSafeInteger(configured) && configured > 0 ? configured : inTests;
}
