import { INSTANCE_CLOCK_SKEW_MS } from '../tokens/clock-lead';
/**
 * Lua scripts of the Redis revocation store: each runs atomically on the server, so that
 * every instance of an app sees one order of events.
 */

/**
 * KEYS[1]: key; ARGV[1]: ttl ms. Marks the key, keeping the longer of two lifetimes. It writes
 * even when the key is there already: a `WAIT` behind it then covers the state it found (a
 * write of another instance that was never acknowledged), not only the writes before it.
 */
export const REMEMBER_LONGEST = `
local ttl = tonumber(ARGV[1])
local left = redis.call('PTTL', KEYS[1])
if left == -1 then
  redis.call('SET', KEYS[1], '1')
else
  redis.call('SET', KEYS[1], '1', 'PX', math.max(left, ttl))
end
return 1`;

/**
 * KEYS[1]: the user's cutoff key; ARGV[1]: cutoff ms; ARGV[2]: cutoff epoch; ARGV[3]: ttl ms.
 * The value is `<cutoff ms>:<cutoff epoch>`; both only move forward, and the entry lives as
 * long as the longest-lived of the two.
 */
export const MOVE_CUTOFF = `
local cutoffMs = tonumber(ARGV[1])
local epoch = tonumber(ARGV[2])
local current = redis.call('GET', KEYS[1])
if current then
  local sep = string.find(current, ':', 1, true)
  if sep then
    cutoffMs = math.max(cutoffMs, tonumber(string.sub(current, 1, sep - 1)))
    epoch = math.max(epoch, tonumber(string.sub(current, sep + 1)))
  end
end
local ttl = tonumber(ARGV[3])
local currentTtl = redis.call('PTTL', KEYS[1])
if currentTtl > ttl then ttl = currentTtl end
redis.call('SET', KEYS[1], string.format('%d:%d', cutoffMs, epoch), 'PX', ttl)
return 1`;

/** The server's time in ms, in a script (`TIME` is seconds and microseconds). */
const SERVER_MS = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)`;

/**
 * KEYS[1]: the session epoch key. The epoch a session starts with: at least the server's time
 * in ms and every epoch handed out before (it is written back), so that it keeps growing
 * however Redis' clock moves and even after the key was lost. The key never expires: there
 * is one.
 */
export const READ_EPOCH = `${SERVER_MS}
local epoch = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now)
redis.call('SET', KEYS[1], string.format('%d', epoch))
return string.format('%d', epoch)`;

/** KEYS[1]: the session epoch key. Moves the epoch past every value handed out; returns it. */
export const NEXT_EPOCH = `${SERVER_MS}
local epoch = math.max(tonumber(redis.call('GET', KEYS[1]) or '0') + 1, now + 1)
redis.call('SET', KEYS[1], string.format('%d', epoch))
return string.format('%d', epoch)`;

/**
 * Whether a token was issued before its slot's marker (`<app ms>:<server ms>`, with `:L` when
 * it was written for a loss found): a session with an epoch by the server's time, any other
 * token by its start in the app's time, which after a loss must be later than the marker by
 * more than the instances' clocks may differ (`INSTANCE_CLOCK_SKEW_MS`): the marker's time is
 * one instance's, the token's another's. Defines `beforeMarker(marker, startedAtMs, sessionEpoch)`.
 */
const BEFORE_MARKER = `
local function beforeMarker(marker, startedAtMs, sessionEpoch)
  local appMs, serverMs, lost = string.match(marker, '^(%d+):(%d+)(:?L?)$')
  if not appMs then return true end
  if sessionEpoch >= 0 then return sessionEpoch < tonumber(serverMs) end
  local skew = 0
  if lost == ':L' then skew = ${INSTANCE_CLOCK_SKEW_MS} end
  return startedAtMs < tonumber(appMs) + skew
end`;

/**
 * KEYS[1]: a slot's marker; ARGV[1]: the app's time ms; ARGV[2]: \`L\` when it is written for a
 * loss found (the store's epoch survived it), else empty. Writes the marker, as of now, when it
 * is missing (a new store, or one whose data was lost): every token issued before is refused
 * from then on. Returns 1 when it wrote it, 0 when it was there.
 */
export const ENSURE_MARKER = `${SERVER_MS}
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local lost = ''
if ARGV[2] == 'L' then lost = ':L' end
redis.call('SET', KEYS[1], string.format('%d:%d', tonumber(ARGV[1]), now) .. lost)
return 1`;

/**
 * The standing of a refresh token, shared by the check and the rotation (after `SERVER_MS`).
 * KEYS: jti, family, user cutoff, session generation, the slot's marker (all in the user's
 * slot). ARGV: session start ms, the token's generation, family ttl ms, the session's epoch
 * (-1 without one), the reuse interval ms, the app's time ms. Sets `standing` to `lost` (the
 * marker was missing: the slot's data was lost; the marker is written again, as of now),
 * `revoked` (issued before the marker, revoked, or the session's state lost: a generation
 * newer than the one remembered), `grace` (the generation just spent, within the reuse
 * interval of its rotation, by the server's clock), `reused` (an older generation: the family
 * is revoked) or `current`.
 */
const STANDING = `${BEFORE_MARKER}
local standing = 'current'
local rotatedAt = -1
local cut = false
local lost = false
local marker = redis.call('GET', KEYS[5])
if not marker then
  redis.call('SET', KEYS[5], string.format('%d:%d:L', tonumber(ARGV[6]), now))
  lost = true
end
local cutoff = redis.call('GET', KEYS[3])
if cutoff then
  local sep = string.find(cutoff, ':', 1, true)
  local sessionEpoch = tonumber(ARGV[4])
  if sessionEpoch >= 0 then
    cut = sep ~= nil and sessionEpoch < tonumber(string.sub(cutoff, sep + 1))
  else
    cut = tonumber(ARGV[1]) <= tonumber(sep and string.sub(cutoff, 1, sep - 1) or cutoff)
  end
end
if lost then
  standing = 'lost'
elseif beforeMarker(marker, tonumber(ARGV[1]), tonumber(ARGV[4])) or redis.call('EXISTS', KEYS[1]) == 1 or redis.call('EXISTS', KEYS[2]) == 1 or cut then
  standing = 'revoked'
else
  -- The generation entry is <generation>:<id of the rotation that wrote it>:<its server
  -- time ms>:<the time of the rotation before it, -1 for none> (<generation> or
  -- <generation>:<id> when written by an earlier version).
  local entry = redis.call('GET', KEYS[4]) or '0'
  local current = tonumber(string.match(entry, '^%d+'))
  rotatedAt = tonumber(string.match(entry, '^%d+:[^:]*:(%d+)') or '-1')
  local generation = tonumber(ARGV[2])
  local interval = tonumber(ARGV[5])
  if generation > current then
    standing = 'revoked'
  elseif generation < current then
    if interval > 0 and generation == current - 1 and rotatedAt >= 0 and now - rotatedAt <= interval then
      standing = 'grace'
    else
      local ttl = tonumber(ARGV[3])
      if redis.call('PTTL', KEYS[2]) < ttl then redis.call('SET', KEYS[2], '1', 'PX', ttl) end
      standing = 'reused'
    end
  end
end`;

/** `checkRefreshToken`: the standing alone. */
export const CHECK_REFRESH = `${SERVER_MS}
${STANDING}
return standing`;

/**
 * `rotateRefreshToken`. KEYS[6]: this attempt's grace key (ARGV[10]: how long it is kept, the
 * longest a write may be sent again). ARGV[7]: ttl ms of the new generation; ARGV[8]: the latest
 * server time (ms) at which the rotation may still happen; ARGV[9]: an id of this rotation alone
 * (kept with the new generation, for `UNDO_ROTATION`). Run later than that (Redis was frozen, and
 * the client has given up on the answer), it changes nothing and answers `late`, so a refresh
 * answered 503 has rotated nothing. Run again once it has rotated (a client that sends a command
 * again when the connection closed before its reply: ioredis' resend of unfulfilled commands, the
 * acknowledged writes' own on a Cluster), it answers `rotated` again and changes nothing: the
 * same rotation, not a reuse of the token it spent. It writes its entry back unchanged, so that
 * the `WAIT` behind the second run covers the first's write. One answered `grace` (a second tab,
 * within the reuse interval) answers `grace` again, though the interval has passed since: never
 * `reused`, which would end the session.
 */
export const ROTATE_REFRESH = `${SERVER_MS}
local own = redis.call('GET', KEYS[4])
local ownPrefix = string.format('%d:%s:', tonumber(ARGV[2]) + 1, ARGV[9])
if own and string.sub(own, 1, #ownPrefix) == ownPrefix then
  -- Written again: the WAIT behind this run (on a new connection) covers the rotation.
  redis.call('SET', KEYS[4], own, 'KEEPTTL')
  return 'rotated'
end
-- This attempt was answered grace before (written nothing else): the same answer, though the
-- reuse interval may have passed since.
if redis.call('EXISTS', KEYS[6]) == 1 then return 'grace' end
if now > tonumber(ARGV[8]) then return 'late' end
${STANDING}
if standing == 'current' then
  local before = string.format('%d:%s:%d:%d', tonumber(ARGV[2]) + 1, ARGV[9], now, rotatedAt)
  redis.call('SET', KEYS[4], before, 'PX', ARGV[7])
  return 'rotated'
end
if standing == 'grace' then redis.call('SET', KEYS[6], '1', 'PX', ARGV[10]) end
return standing`;

/**
 * KEYS[1]: a session's generation entry; ARGV[1]: the start of the entry a rotation wrote
 * (`<generation>:<rotation id>`, then `:<time>:<time before>`); ARGV[2]: the generation
 * before it. Undoes that rotation when it is still the latest (the refresh that made it
 * answered 503, so no one holds its tokens), the time of the rotation before it included: a
 * second tab's grace within the reuse interval survives the undo.
 */
export const UNDO_ROTATION = `
local entry = redis.call('GET', KEYS[1])
if entry and string.sub(entry, 1, #ARGV[1] + 1) == ARGV[1] .. ':' then
  local before = tonumber(string.match(entry, ':(%-?%d+)$') or '-1')
  local restored = ARGV[2]
  if before >= 0 then restored = string.format('%s:undone:%d', ARGV[2], before) end
  redis.call('SET', KEYS[1], restored, 'KEEPTTL')
  return 1
end
return 0`;

/** KEYS[1]: any key of the slot whose node's clock is wanted. `TIME`, run on that node. */
export const SERVER_TIME = `return redis.call('TIME')`;
