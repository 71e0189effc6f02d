/**
 * The Lua scripts: every change of a queue's state is one of these, so it is
 * atomic on the server (Redis runs a script to its end before any other
 * command). The client sends them with EVALSHA and falls back to EVAL when
 * the server does not know the script (a restarted server): ioredis's
 * `defineCommand` does both.
 *
 * Keys of a queue (docs/redis.md, "Keys"), in this order in every script:
 *
 * | KEYS | key | type | holds |
 * |---|---|---|---|
 * | 1 | `P:items` | list (FIFO, LIFO) or sorted set (priority) | the items waiting |
 * | 2 | `P:meta` | hash | `unfinished`, `seq`, `shutdown` (1 soft, 2 immediate) |
 * | 3 | `P:taken` | hash | lease token -> the item as it was stored, for items taken and not done |
 * | 4 | `P:leases` | sorted set | lease token scored by its expiry (server ms) |
 * | 5 | `P:wake:get` | list | one token per item a waiting getter may take (at most qsize, at most 1024) |
 * | 6 | `P:wake:put` | list | one token per free place a waiting putter may fill (at most the free room, at most 1024) |
 * | 7 | `P:client:<id>` | sorted set | put: the last 256 put ids this queue object applied (kept 10 min), so a put resent after a dropped connection is not applied twice |
 *
 * `P` is `prefix:{name}` (the braces keep a queue's keys in one cluster
 * slot). The pub/sub channel `P:events` carries `shutdown` and `done` (the
 * last unfinished task was marked done).
 *
 * ARGV[1] is the kind (1 FIFO, 2 LIFO, 3 priority), ARGV[2] the maxsize (<= 0:
 * unbounded), ARGV[3] the events channel, in every script; the rest is the
 * script's own. A call's status: 0 done, -1 shut down, -2 full.
 */

// Shared prologue: the queue's length, server time, the wake lists kept
// within their bounds, and the return of expired leases (dead consumers).
const PROLOGUE = `
local kind = tonumber(ARGV[1])
local maxsize = tonumber(ARGV[2])
local channel = ARGV[3]
local K_ITEMS, K_META, K_TAKEN, K_LEASES, K_WGET, K_WPUT = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local function qlen()
  if kind == 3 then return redis.call('ZCARD', K_ITEMS) end
  return redis.call('LLEN', K_ITEMS)
end
local function now()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
-- A wake list holds at most 'room' tokens (and at most 1024): push n more, then trim.
local function wake(key, n, room)
  if room > 1024 then room = 1024 end
  if n > room then n = room end
  for i = 1, n do redis.call('LPUSH', key, '1') end
  if room <= 0 then redis.call('DEL', key) else redis.call('LTRIM', key, 0, room - 1) end
end
local function free(size)
  if maxsize <= 0 then return 1024 end
  return maxsize - size
end
local function finished(n)
  local u = redis.call('HINCRBY', K_META, 'unfinished', -n)
  if u <= 0 then
    if u < 0 then redis.call('HSET', K_META, 'unfinished', 0) end
    redis.call('PUBLISH', channel, 'done')
    return 0
  end
  return u
end
-- Items whose lease expired go back where the next get takes them (FIFO:
-- the head; LIFO: the top; priority: their own place, by score and sequence).
-- After shutdown(immediate) they are discarded and counted as done.
local function requeue(t)
  local expired = redis.call('ZRANGEBYSCORE', K_LEASES, '-inf', t, 'LIMIT', 0, 100)
  local back = 0
  for _, token in ipairs(expired) do
    local stored = redis.call('HGET', K_TAKEN, token)
    redis.call('HDEL', K_TAKEN, token)
    redis.call('ZREM', K_LEASES, token)
    if stored then
      if redis.call('HGET', K_META, 'shutdown') == '2' then
        finished(1)
      elseif kind == 1 then redis.call('LPUSH', K_ITEMS, stored); back = back + 1
      elseif kind == 2 then redis.call('RPUSH', K_ITEMS, stored); back = back + 1
      else
        local bar = string.find(stored, '|', 1, true)
        redis.call('ZADD', K_ITEMS, string.sub(stored, 1, bar - 1), string.sub(stored, bar + 1))
        back = back + 1
      end
    end
  end
  if back > 0 then wake(K_WGET, back, qlen()) end
end
`;

/**
 * put, for several calls at once (those a queue object made in one tick):
 * ARGV[4] how many calls, then per call its id, its item count n and n
 * pairs (score, bytes). Calls are applied in order, each all or none; the
 * first that does not fit stops the rest (they wait, in their order). A call
 * whose id was applied before (a put repeated after a dropped connection)
 * is not applied again. Reply {qsize, unfinished, status of each call}.
 */
export const PUT = `${PROLOGUE}
local calls = tonumber(ARGV[4])
local shut = redis.call('HGET', K_META, 'shutdown')
local size = qlen()
local out = {0, 0}
local pos, added, stopped = 5, 0, false
for c = 1, calls do
  local id, n = ARGV[pos], tonumber(ARGV[pos + 1])
  local status = 0
  if redis.call('ZSCORE', KEYS[7], id) then status = 0
  elseif shut then status = -1
  elseif stopped or (maxsize > 0 and size + n > maxsize) then status = -2; stopped = true
  else
    for i = 0, n - 1 do
      local score, bytes = ARGV[pos + 2 + 2 * i], ARGV[pos + 3 + 2 * i]
      if kind == 3 then
        local seq = redis.call('HINCRBY', K_META, 'seq', 1)
        redis.call('ZADD', K_ITEMS, score, string.format('%016x', seq) .. bytes)
      else
        redis.call('RPUSH', K_ITEMS, bytes)
      end
    end
    size = size + n
    added = added + n
    redis.call('ZADD', KEYS[7], id, id)
  end
  out[#out + 1] = status
  pos = pos + 2 + 2 * n
end
if added > 0 then
  redis.call('HINCRBY', K_META, 'unfinished', added)
  redis.call('ZREMRANGEBYRANK', KEYS[7], 0, -257)
  redis.call('PEXPIRE', KEYS[7], 600000)
  wake(K_WGET, added, size)
end
out[1] = size
out[2] = tonumber(redis.call('HGET', K_META, 'unfinished') or '0')
return out
`;

/**
 * get, for several calls at once: ARGV[4] the lease in ms, ARGV[5] how many
 * calls, then the most items of each. Items go to the calls in order. Reply
 * {qsize, unfinished, shut down (0/1), then per call: its count k, then k
 * triples (token, bytes, score)}; the score is '' but in a priority queue.
 */
export const GET = `${PROLOGUE}
local t = now()
requeue(t)
local size = qlen()
local lease = t + tonumber(ARGV[4])
local calls = tonumber(ARGV[5])
local counts, total = {}, 0
for c = 1, calls do
  local k = math.min(tonumber(ARGV[5 + c]), size - total)
  counts[c] = k
  total = total + k
end
local taken = {}
if total > 0 then
  if kind == 1 then taken = redis.call('LPOP', K_ITEMS, total)
  elseif kind == 2 then taken = redis.call('RPOP', K_ITEMS, total)
  else taken = redis.call('ZPOPMIN', K_ITEMS, total) end
end
local out = {size - total, 0, 0}
if redis.call('HGET', K_META, 'shutdown') then out[3] = 1 end
local step = 1
if kind == 3 then step = 2 end
local i = 1
for c = 1, calls do
  out[#out + 1] = counts[c]
  for _ = 1, counts[c] do
    local token = tostring(redis.call('HINCRBY', K_META, 'seq', 1))
    local stored, bytes, score = taken[i], taken[i], ''
    if kind == 3 then
      score = taken[i + 1]
      bytes = string.sub(taken[i], 17)
      stored = score .. '|' .. taken[i]
    end
    redis.call('HSET', K_TAKEN, token, stored)
    redis.call('ZADD', K_LEASES, lease, token)
    out[#out + 1] = token
    out[#out + 1] = bytes
    out[#out + 1] = score
    i = i + step
  end
end
out[2] = tonumber(redis.call('HGET', K_META, 'unfinished') or '0')
if total > 0 then
  wake(K_WGET, 0, size - total)
  if maxsize > 0 then wake(K_WPUT, total, free(size - total)) end
end
return out
`;

/** done: ARGV[4..] lease tokens. Reply {how many were still held (and so counted), unfinished}. */
export const DONE = `${PROLOGUE}
local counted = 0
for i = 4, #ARGV do
  if redis.call('HDEL', K_TAKEN, ARGV[i]) == 1 then
    redis.call('ZREM', K_LEASES, ARGV[i])
    counted = counted + 1
  end
end
if counted > 0 then return {counted, finished(counted)} end
return {0, tonumber(redis.call('HGET', K_META, 'unfinished') or '0')}
`;

/** extend: ARGV[4] the lease in ms, then tokens. Reply: how many of them are still held. */
export const EXTEND = `${PROLOGUE}
local lease = now() + tonumber(ARGV[4])
local held = 0
for i = 5, #ARGV do
  if redis.call('ZSCORE', K_LEASES, ARGV[i]) then
    redis.call('ZADD', K_LEASES, 'XX', lease, ARGV[i])
    held = held + 1
  end
end
return held
`;

/** release: tokens of items taken by a call that gave up: they go back at once, as an expired lease would. */
export const RELEASE = `${PROLOGUE}
for i = 4, #ARGV do redis.call('ZADD', K_LEASES, 'XX', 0, ARGV[i]) end
requeue(now())
return 0
`;

/** repost: wake tokens that reached nobody go back, within their list's bound. ARGV[4] 'get' or 'put', ARGV[5] how many. */
export const REPOST = `${PROLOGUE}
local size = qlen()
local n = tonumber(ARGV[5])
if ARGV[4] == 'get' then wake(K_WGET, n, size) else wake(K_WPUT, n, free(size)) end
return 0
`;

/** shutdown: ARGV[4] '1' for immediate. Reply {qsize, unfinished}. */
export const SHUTDOWN = `${PROLOGUE}
local immediate = ARGV[4] == '1'
local was = redis.call('HGET', K_META, 'shutdown')
if immediate then redis.call('HSET', K_META, 'shutdown', 2)
elseif not was then redis.call('HSET', K_META, 'shutdown', 1) end
local u = tonumber(redis.call('HGET', K_META, 'unfinished') or '0')
if immediate then
  local n = qlen()
  redis.call('DEL', K_ITEMS)
  if n > 0 then u = finished(n) end
end
-- Wake every BLMPOP on the queue at once (those of objects that missed the
-- event too); tokens left over after a shutdown only cost a retry.
for i = 1, 64 do
  redis.call('LPUSH', K_WGET, '1')
  redis.call('LPUSH', K_WPUT, '1')
end
redis.call('PUBLISH', channel, 'shutdown')
return {qlen(), u}
`;

/** stats: reply {qsize, unfinished, shutdown (0, 1, 2)}; returns expired leases first. */
export const STATS = `${PROLOGUE}
requeue(now())
return {qlen(), tonumber(redis.call('HGET', K_META, 'unfinished') or '0'), tonumber(redis.call('HGET', K_META, 'shutdown') or '0')}
`;

/** The scripts by the name the client defines them under. */
export const SCRIPTS = {
  jqPut: PUT,
  jqGet: GET,
  jqDone: DONE,
  jqExtend: EXTEND,
  jqRelease: RELEASE,
  jqRepost: REPOST,
  jqShutdown: SHUTDOWN,
  jqStats: STATS,
} as const;

export type ScriptName = keyof typeof SCRIPTS;
