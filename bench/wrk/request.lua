-- One request, repeated; every answer is checked, and done() prints "unexpected: N" (answers
-- with another status, or without MUST_CONTAIN in the body). A run with N > 0 is void.
--   METHOD (GET)  TARGET (/)  BODY  EXPECT ("200"; a comma list, e.g. "200,204")
--   MUST_CONTAIN  HEADER_1 .. HEADER_6 ("Name: value")
wrk.method = os.getenv("METHOD") or "GET"
wrk.path = os.getenv("TARGET") or "/"
local body = os.getenv("BODY")
if body and body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end
for i = 1, 6 do
  local h = os.getenv("HEADER_" .. i)
  if h and h ~= "" then
    local name, value = h:match("^([^:]+):%s*(.*)$")
    wrk.headers[name] = value
  end
end

local expect = {}
for s in (os.getenv("EXPECT") or "200"):gmatch("%d+") do expect[tonumber(s)] = true end
local must = os.getenv("MUST_CONTAIN")
if must == "" then must = nil end

local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) unexpected = 0; first = nil end
function response(status, headers, body)
  if not expect[status] or (must and not body:find(must, 1, true)) then
    unexpected = unexpected + 1
    if not first then first = status .. " " .. body:sub(1, 200) end
  end
end
function done(summary, latency, requests)
  local n, sample = 0, nil
  for _, t in ipairs(threads) do
    n = n + (t:get("unexpected") or 0)
    sample = sample or t:get("first")
  end
  io.write(string.format("unexpected: %d\n", n))
  if sample then io.write("first unexpected: " .. sample .. "\n") end
end
