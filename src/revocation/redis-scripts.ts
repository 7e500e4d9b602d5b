/**
 * Lua scripts of the Redis revocation store: each runs atomically on the server, so that
 * every instance of an app sees one order of events.
 */

/** KEYS[1]: key; ARGV[1]: ttl ms. Marks the key, keeping the longer of two lifetimes. */
export const REMEMBER_LONGEST = `
local ttl = tonumber(ARGV[1])
if redis.call('PTTL', KEYS[1]) < ttl then
  redis.call('SET', KEYS[1], '1', 'PX', ttl)
end
return 1`;

/**
 * KEYS[1]: the user's cutoff key; ARGV[1]: cutoff ms; ARGV[2]: ttl ms. The cutoff only moves
 * forward, and the entry lives as long as the longest-lived of the two.
 */
export const MOVE_CUTOFF = `
local value = ARGV[1]
local current = redis.call('GET', KEYS[1])
if current and tonumber(current) > tonumber(value) then value = current end
local ttl = tonumber(ARGV[2])
local currentTtl = redis.call('PTTL', KEYS[1])
if currentTtl > ttl then ttl = currentTtl end
redis.call('SET', KEYS[1], value, 'PX', ttl)
return 1`;

/**
 * KEYS: jti, family, user cutoff, spent mark. ARGV: issued-at ms, spent ttl ms, family ttl
 * ms. `revoked` when revoked; else `spent` for the first caller (SET NX); else `reused`, and
 * the family is revoked.
 */
export const SPEND_REFRESH = `
if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('EXISTS', KEYS[2]) == 1 then
  return 'revoked'
end
local cutoff = redis.call('GET', KEYS[3])
if cutoff and tonumber(ARGV[1]) <= tonumber(cutoff) then return 'revoked' end
if redis.call('SET', KEYS[4], '1', 'NX', 'PX', ARGV[2]) then return 'spent' end
local ttl = tonumber(ARGV[3])
if redis.call('PTTL', KEYS[2]) < ttl then redis.call('SET', KEYS[2], '1', 'PX', ttl) end
return 'reused'`;
