-- wrk script for bench/voice.sh: every request is a new inbound Cloudonix call (its own
-- CallSid/Session), POSTed as JSON with the tenant's requests API key, as Cloudonix does.
--   VOICE_TO=+12125550100 VOICE_KEY=... wrk -s bench/voice_route.lua http://host:port/api/voice/route
-- With VOICE_GET=1 it sends plain GETs to the URL's path instead (the nginx baseline), built by
-- the same per-request Lua code, so that both sides pay the same load-generator cost.

local to = os.getenv("VOICE_TO") or "+12125550100"
local key = os.getenv("VOICE_KEY") or ""
local domain = os.getenv("VOICE_DOMAIN") or "bench.cloudonix.net"
local get_only = os.getenv("VOICE_GET") == "1"
-- With VOICE_DELAY_MS, each connection waits that long between an answer and its next request:
-- a paced load, well below the machine's ceiling, whose latency is the service's own.
local delay_ms = tonumber(os.getenv("VOICE_DELAY_MS") or "0")
if delay_ms > 0 then
  function delay()
    return delay_ms
  end
end

local counter = 0
local prefix = ""

function setup(thread)
  thread:set("thread_id", math.random(1, 0x7fffffff))
end

function init(args)
  -- Distinct per thread, so that no two requests of a run carry the same call id.
  prefix = string.format("%08x%08x", thread_id or math.random(1, 0x7fffffff), os.time())
end

local headers = {
  ["Content-Type"] = "application/json",
  ["Authorization"] = "Bearer " .. key,
}

function request()
  counter = counter + 1
  local sid = string.format("%s%016x", prefix, counter)
  if get_only then
    return wrk.format("GET", nil, {}, nil)
  end
  local body = '{"ApiVersion":"1","CallSid":"' .. sid .. '","Session":"' .. sid ..
    '","From":"+14155550142","To":"' .. to .. '","CallerName":"Jordan Diaz",' ..
    '"Direction":"inbound","Domain":"' .. domain .. '","AccountSid":"' .. domain ..
    '","SessionData":{"id":' .. counter .. ',"token":"' .. sid ..
    '","domainId":912,"profile":{"trunk-sip-headers":{}}}}'
  return wrk.format("POST", nil, headers, body)
end
