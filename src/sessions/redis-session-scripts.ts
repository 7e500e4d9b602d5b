/**
 * Lua scripts of the Redis session registry: one per method, each atomic on the server, so
 * that every instance of an app sees one order of a user's sessions.
 *
 * KEYS[1] is the user's sorted set `<prefix>{<user>}:sessions`: session ids scored by
 * `createdAtMs`. A session is the hash `<prefix>{<user>}:session:<id>`; a script names the
 * hashes of the set's members from KEYS[1] itself (its `sessions` suffix becomes
 * `session:<id>`), so that a client's own key prefix is kept and every key stays in the
 * slot of KEYS[1]'s hash tag. KEYS[2], when the call names a session, is that session's hash.
 *
 * ARGV[1] is now, in milliseconds on the registry's clock: a session is live while its
 * `expiresAtMs` is after it. Expiries are given to Redis as what is left of them by that
 * clock (`PEXPIRE`), so Redis forgets a session when the app's clock reaches its end.
 *
 * A record is returned as `{ id, createdAtMs, lastUsedAtMs, expiresAtMs, epoch, address,
 * userAgent }`, each a string or nil (false) for an absent field.
 */

/** The helpers every script begins with. */
const PRELUDE = `
local set = KEYS[1]
local now = tonumber(ARGV[1])
local base = string.sub(set, 1, -9) .. 'session:'
local FIELDS = { 'createdAtMs', 'lastUsedAtMs', 'expiresAtMs', 'epoch', 'address', 'userAgent' }

-- The fields of member id's session when it is live, else nil.
local function fetch(id)
  local values = redis.call('HMGET', base .. id, unpack(FIELDS))
  if values[3] and tonumber(values[3]) > now then return values end
  return nil
end

local function reply(id, values)
  return { id, values[1], values[2], values[3], values[4], values[5], values[6] }
end

local function forget(id)
  redis.call('ZREM', set, id)
  redis.call('DEL', base .. id)
end

-- The live members, oldest first, and their fields by id; members whose hash is gone
-- (expired in Redis) or over by now are forgotten on the way.
local function prune()
  local ids, records = {}, {}
  for _, id in ipairs(redis.call('ZRANGE', set, 0, -1)) do
    local values = fetch(id)
    if values then
      ids[#ids + 1] = id
      records[id] = values
    else
      forget(id)
    end
  end
  return ids, records
end

-- The set lives as long as its latest member still in it, or is deleted when none is.
local function expireSet(records)
  local latest = nil
  for _, values in pairs(records) do
    local expires = tonumber(values[3])
    if latest == nil or expires > latest then latest = expires end
  end
  if latest == nil then
    redis.call('DEL', set)
  else
    redis.call('PEXPIRE', set, string.format('%d', latest - now))
  end
end
`;

/**
 * `add`. KEYS[2]: the session's hash. ARGV[2]: id; ARGV[3]: max per user; ARGV[4..6]:
 * createdAtMs, lastUsedAtMs, expiresAtMs; ARGV[7..9]: epoch, address, userAgent ('' when
 * absent). Replaces the entry of the id, then evicts the oldest other members beyond the
 * maximum; returns the evicted records, oldest first.
 */
export const ADD_SESSION = `${PRELUDE}
local id = ARGV[2]
forget(id)
local expires = tonumber(ARGV[6])
if expires > now then
  local fields = { 'createdAtMs', ARGV[4], 'lastUsedAtMs', ARGV[5], 'expiresAtMs', ARGV[6] }
  for i, name in ipairs({ 'epoch', 'address', 'userAgent' }) do
    if ARGV[6 + i] ~= '' then
      fields[#fields + 1] = name
      fields[#fields + 1] = ARGV[6 + i]
    end
  end
  redis.call('HSET', KEYS[2], unpack(fields))
  redis.call('PEXPIRE', KEYS[2], string.format('%d', expires - now))
  redis.call('ZADD', set, ARGV[4], id)
end
local ids, records = prune()
local excess = #ids - tonumber(ARGV[3])
local evicted = {}
for _, other in ipairs(ids) do
  if excess <= 0 then break end
  if other ~= id then
    evicted[#evicted + 1] = reply(other, records[other])
    records[other] = nil
    forget(other)
    excess = excess - 1
  end
end
expireSet(records)
return evicted`;

/**
 * `touch`. KEYS[2]: the session's hash. ARGV[2]: id; ARGV[3]: lastUsedAtMs. Writes only a
 * later time, and only into a live member's hash: it never makes one.
 */
export const TOUCH_SESSION = `${PRELUDE}
local ids, records = prune()
local values = records[ARGV[2]]
if values and tonumber(ARGV[3]) > tonumber(values[2]) then
  redis.call('HSET', KEYS[2], 'lastUsedAtMs', ARGV[3])
end
expireSet(records)
return 1`;

/** `list`: the live records, newest first. */
export const LIST_SESSIONS = `${PRELUDE}
local ids, records = prune()
expireSet(records)
local newest = {}
for i = #ids, 1, -1 do newest[#newest + 1] = reply(ids[i], records[ids[i]]) end
return newest`;

/** `get`. KEYS[2]: the session's hash. ARGV[2]: id. Reads only: the record, or an empty reply. */
export const GET_SESSION = `${PRELUDE}
local id = ARGV[2]
if not redis.call('ZSCORE', set, id) then return {} end
local values = fetch(id)
if values then return reply(id, values) end
return {}`;

/**
 * `remove`. KEYS[2]: the session's hash. ARGV[2]: id. Forgets the session; returns its
 * record when it was live, else an empty reply.
 */
export const REMOVE_SESSION = `${PRELUDE}
local id = ARGV[2]
local ids, records = prune()
local values = records[id]
forget(id)
records[id] = nil
expireSet(records)
if values then return reply(id, values) end
return {}`;

/**
 * `removeAllExcept`. ARGV[2]: the id to keep ('' for none). Forgets every other member;
 * returns their records, newest first.
 */
export const REMOVE_OTHER_SESSIONS = `${PRELUDE}
local keep = ARGV[2]
local ids, records = prune()
local removed = {}
for i = #ids, 1, -1 do
  local id = ids[i]
  if id ~= keep then
    removed[#removed + 1] = reply(id, records[id])
    records[id] = nil
    forget(id)
  end
end
expireSet(records)
return removed`;
