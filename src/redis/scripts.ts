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
  if n > 0 then
    local ones = {}
    for i = 1, n do ones[i] = '1' end
    redis.call('LPUSH', key, unpack(ones))
  end
  if room <= 0 then redis.call('DEL', key) else redis.call('LTRIM', key, 0, room - 1) end
end
-- cmd key values[1..]: in chunks of 1000 (pairs stay whole), within Lua's unpack limit.
local function many(cmd, key, values)
  for i = 1, #values, 1000 do
    redis.call(cmd, key, unpack(values, i, math.min(i + 999, #values)))
  end
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
-- Marks the lease tokens ARGV[from..to] done: those still held are counted.
local function markDone(from, to)
  local counted = 0
  for i = from, to do
    if redis.call('HDEL', K_TAKEN, ARGV[i]) == 1 then
      redis.call('ZREM', K_LEASES, ARGV[i])
      counted = counted + 1
    end
  end
  if counted > 0 then finished(counted) end
  return counted
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
 * ARGV[4] a header, space-separated: per call its id and its item count n,
 * then n pairs (score, length in bytes); ARGV[5] the bytes of every item, one
 * after the other (two arguments whatever the batch: the client's cost of
 * sending a batch does not grow with its items' count). Calls are applied in
 * order, each all or none; the first that does not fit stops the rest (they
 * wait, in their order). A call whose id was applied before (a put repeated
 * after a dropped connection) is not applied again. Reply {qsize,
 * unfinished, status of each call}.
 */
export const PUT = `${PROLOGUE}
local head, blob = {}, ARGV[5]
for w in string.gmatch(ARGV[4], '%S+') do head[#head + 1] = w end
local shut = redis.call('HGET', K_META, 'shutdown')
local size = qlen()
local out = {0, 0}
local pos, off, added, stopped = 1, 1, 0, false
local values, ids = {}, {}
while pos <= #head do
  local id, n = head[pos], tonumber(head[pos + 1])
  local status = 0
  local dup = redis.call('ZSCORE', KEYS[7], id)
  if dup then status = 0
  elseif shut then status = -1
  elseif stopped or (maxsize > 0 and size + n > maxsize) then status = -2; stopped = true
  end
  local apply = status == 0 and not dup
  for i = 0, n - 1 do
    local score, len = head[pos + 2 + 2 * i], tonumber(head[pos + 3 + 2 * i])
    if apply then
      local bytes = string.sub(blob, off, off + len - 1)
      if kind == 3 then
        local seq = redis.call('HINCRBY', K_META, 'seq', 1)
        redis.call('ZADD', K_ITEMS, score, string.format('%016x', seq) .. bytes)
      else
        values[#values + 1] = bytes
      end
    end
    off = off + len
  end
  if apply then
    size = size + n
    added = added + n
    ids[#ids + 1] = id
    ids[#ids + 1] = id
  end
  out[#out + 1] = status
  pos = pos + 2 + 2 * n
end
-- One push for the batch: the values are in call order.
if #values > 0 then many('RPUSH', K_ITEMS, values) end
if #ids > 0 then many('ZADD', KEYS[7], ids) end
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
 * get, for several calls at once, and the taskDone calls made before them:
 * ARGV[4] the lease in ms, ARGV[5] how many lease tokens to mark done
 * first (nd), then those tokens, then how many calls, then the most items
 * of each. Items go to the calls in order. Reply {qsize, unfinished, shut
 * down (0/1), a header, the items' bytes one after the other}: the header
 * is space-separated, per call its count k then k triples (token, length
 * in bytes, score); the score is 0 but in a priority queue.
 */
export const GET = `${PROLOGUE}
local nd = tonumber(ARGV[5])
if nd > 0 then markDone(6, 5 + nd) end
local t = now()
requeue(t)
local size = qlen()
local lease = t + tonumber(ARGV[4])
local first = 7 + nd
local calls = tonumber(ARGV[first - 1])
local counts, total = {}, 0
for c = 1, calls do
  local k = math.min(tonumber(ARGV[first - 1 + c]), size - total)
  counts[c] = k
  total = total + k
end
local taken = {}
if total > 0 then
  if kind == 1 then taken = redis.call('LPOP', K_ITEMS, total)
  elseif kind == 2 then taken = redis.call('RPOP', K_ITEMS, total)
  else taken = redis.call('ZPOPMIN', K_ITEMS, total) end
end
local shut = 0
if redis.call('HGET', K_META, 'shutdown') then shut = 1 end
local step = 1
if kind == 3 then step = 2 end
local head, blobs, pairs_, leases = {}, {}, {}, {}
local seq = 0
if total > 0 then seq = redis.call('HINCRBY', K_META, 'seq', total) - total end
local i = 1
for c = 1, calls do
  head[#head + 1] = counts[c]
  for _ = 1, counts[c] do
    seq = seq + 1
    local token = tostring(seq)
    local stored, bytes, score = taken[i], taken[i], '0'
    if kind == 3 then
      score = taken[i + 1]
      bytes = string.sub(taken[i], 17)
      stored = score .. '|' .. taken[i]
    end
    pairs_[#pairs_ + 1] = token
    pairs_[#pairs_ + 1] = stored
    leases[#leases + 1] = lease
    leases[#leases + 1] = token
    head[#head + 1] = token
    head[#head + 1] = #bytes
    head[#head + 1] = score
    blobs[#blobs + 1] = bytes
    i = i + step
  end
end
if total > 0 then
  many('HSET', K_TAKEN, pairs_)
  many('ZADD', K_LEASES, leases)
  wake(K_WGET, 0, size - total)
  if maxsize > 0 then wake(K_WPUT, total, free(size - total)) end
end
local unfinished = tonumber(redis.call('HGET', K_META, 'unfinished') or '0')
return {size - total, unfinished, shut, table.concat(head, ' '), table.concat(blobs)}
`;

/** done: ARGV[4..] lease tokens. Reply {how many were still held (and so counted), unfinished}. */
export const DONE = `${PROLOGUE}
local counted = markDone(4, #ARGV)
return {counted, tonumber(redis.call('HGET', K_META, 'unfinished') or '0')}
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

/**
 * attach: the queue's configuration, recorded by the first object that uses
 * the queue. ARGV[4] the codec's name ('custom' for a custom codec). Reply
 * {} when this object's kind, maxsize and codec are those recorded (or were
 * just recorded), else {kind, maxsize, codec} as recorded.
 */
export const ATTACH = `${PROLOGUE}
local was = redis.call('HMGET', K_META, 'kind', 'maxsize', 'codec')
if not was[1] then
  redis.call('HSET', K_META, 'kind', kind, 'maxsize', maxsize, 'codec', ARGV[4])
  return {}
end
if tonumber(was[1]) == kind and tonumber(was[2]) == maxsize and was[3] == ARGV[4] then return {} end
return {was[1], was[2], was[3] or ''}
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
  jqAttach: ATTACH,
} as const;

export type ScriptName = keyof typeof SCRIPTS;
