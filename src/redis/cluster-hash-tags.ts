import calculateSlot from 'cluster-key-slot';

/** How many hash slots a Redis Cluster has. */
export const CLUSTER_SLOTS = 16_384;

/** `%`, the braces, and a UTF-16 surrogate that is not half of a pair. */
const ENCODED = /[%{}]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * A user id as the content of a Redis Cluster hash tag: `%`, `{` and `}` percent-encoded, so
 * the tag ends where the key says (the first `}`) and two user ids never share a tag. A lone
 * surrogate is encoded too (`%uD800`): sent to Redis it would become U+FFFD, so that two ids
 * would share keys, and the slot computed here would not be the one Redis computes. The empty
 * id becomes `%00` (no encoded id can be that: `%` is always encoded), because Redis hashes a
 * key with an empty tag `{}` whole, which would scatter the user's keys.
 */
export function userHashTag(userId: string): string {
  if (userId === '') return '%00';
  return userId.replace(ENCODED, (c) => {
    const code = c.charCodeAt(0).toString(16).toUpperCase();
    return c.length === 1 && code.length === 4 ? `%u${code}` : `%${code}`;
  });
}

/** A key's slot. */
export function keySlot(key: string): number {
  return calculateSlot(key);
}

/** The slot of every key whose first hash tag is `{tag}`. */
export function slotOfTag(tag: string): number {
  return calculateSlot(`{${tag}}`);
}

let tagsBySlot: readonly string[] | undefined;

/**
 * For each slot, a hash tag whose keys land in it (`m<n>` for the smallest such `n`): the
 * name of a key that must live in a given slot, such as that slot's marker. Computed once.
 */
export function slotTags(): readonly string[] {
  if (tagsBySlot !== undefined) return tagsBySlot;
  const tags = new Array<string>(CLUSTER_SLOTS);
  let found = 0;
  for (let n = 0; found < CLUSTER_SLOTS; n += 1) {
    const tag = `m${n}`;
    const slot = slotOfTag(tag);
    if (tags[slot] === undefined) {
      tags[slot] = tag;
      found += 1;
    }
  }
  tagsBySlot = Object.freeze(tags);
  return tagsBySlot;
}
