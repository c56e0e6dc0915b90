-- wrk script: every request asks for a path picked at random from a list file, one path a line,
-- named after `--` on wrk's command line. The results come from report.lua's reporter.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

local paths = {}
function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then
      paths[#paths + 1] = line
    end
  end
  math.randomseed(os.time() * 100 + id)
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end
