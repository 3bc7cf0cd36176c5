-- wrk script for bench/load.py: sends the session cookie of a logged-in member when given,
-- stops each thread after its share of the request cap, counts responses other than 200, and
-- prints one JSON line with the figures the bench reports.
local cookie = os.getenv("BENCH_COOKIE")
if cookie ~= nil and cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end
local cap = tonumber(os.getenv("BENCH_THREAD_REQUEST_CAP") or "0")
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  answered = 0
  not_ok = 0
end

function response(status, headers, body)
  answered = answered + 1
  if status ~= 200 then
    not_ok = not_ok + 1
  end
  if cap > 0 and answered >= cap then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local not_200 = 0
  for _, thread in ipairs(threads) do
    not_200 = not_200 + thread:get("not_ok")
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "not_200": %d, '
      .. '"socket_errors": %d, "timeouts": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, '
      .. '"max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes, not_200,
    errors.connect + errors.read + errors.write, errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
