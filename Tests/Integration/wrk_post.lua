-- wrk: POSTs the JSON bodies of a file (one a line) to one path, each thread taking its share
-- in turn and starting again at its first; counts the answers by status, printed at the end
-- as one "status count" line each. Arguments: PATH BODIES_FILE THREADS (wrk's -t); the cookie
-- comes from $COOKIE.
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  path, bodies, next_body, counts = args[1], {}, 0, {}
  local k, share = 0, tonumber(args[3])
  for line in io.lines(args[2]) do
    if k % share == id then table.insert(bodies, line) end
    k = k + 1
  end
  headers = { ["Content-Type"] = "application/json", ["Cookie"] = os.getenv("COOKIE") }
end

function request()
  next_body = next_body % #bodies + 1
  return wrk.format("POST", path, headers, bodies[next_body])
end

function response(status)
  counts[status] = (counts[status] or 0) + 1
end

function done()
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("counts")) do total[status] = (total[status] or 0) + count end
  end
  for status, count in pairs(total) do io.write(string.format("status %d %d\n", status, count)) end
end
