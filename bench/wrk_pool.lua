-- Rotates through pre-signed Slack requests written by bench/http_load.py.
--
-- wrk's Lua has no HMAC-SHA256, so requests cannot be signed here. Slack's check accepts a
-- timestamp within five minutes, so bench/http_load.py signs a pool of requests with the
-- current time just before each run and writes them to the file named by POOL_FILE,
-- one request a line: timestamp, signature and body separated by tabs.

local pool = {}
local next_index = 0

local function load_pool(path)
  local requests = {}
  for line in io.lines(path) do
    local timestamp, signature, body = line:match("^([^\t]+)\t([^\t]+)\t(.*)$")
    requests[#requests + 1] = wrk.format("POST", "/slack/events", {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["X-Slack-Request-Timestamp"] = timestamp,
      ["X-Slack-Signature"] = signature,
    }, body)
  end
  return requests
end

init = function(args)
  pool = load_pool(os.getenv("POOL_FILE"))
  next_index = math.random(#pool) - 1 -- each wrk thread starts at a different request
end

request = function()
  next_index = next_index % #pool + 1
  return pool[next_index]
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK_JSON {\"requests\":%d,\"duration_us\":%d,\"p50_us\":%d,\"p99_us\":%d,\"max_us\":%d," ..
    "\"connect\":%d,\"read\":%d,\"write\":%d,\"status\":%d,\"timeout\":%d}\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
