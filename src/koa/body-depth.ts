/**
 * Whether a parsed body nests objects and arrays deeper than `limit` (the body itself is at
 * depth 1). Iterative, so that measuring a hostile body cannot overflow the stack itself:
 * class-transformer and class-validator recurse, and a JSON body of 1,500 nested arrays
 * (3 KB) is a `RangeError` inside them.
 */
export function exceedsDepth(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [node, depth] = next;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > limit) return true;
    for (const child of Object.values(node)) {
      if (typeof child === 'object' && child !== null) pending.push([child, depth + 1]);
    }
  }
  return false;
}
