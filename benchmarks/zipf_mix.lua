-- wrk script: a Zipf-distributed read mix over the site's pages, counting
-- Varnish's X-Cache HIT and MISS (benchmarks/edit_load.py runs it).
--
--   wrk -t N -c N -s zipf_mix.lua URL -- FOLDER EXPONENT SEED
--
-- FOLDER holds, for each thread k of N (0-based), pages-k.tsv: the thread's own
-- pages, one "rank<TAB>path" a line, most read first. The pages are dealt out
-- to the threads by rank (rank r to thread (r - 1) % N), so no two threads read
-- the same page: with one connection per thread, a thread's responses come
-- back in the order of its requests, and "read before" is exact for each.
-- seen-k.txt, if there, names the ranks read in earlier runs (the warm-up);
-- done() writes the ranks read so far to seen-out-k.txt and the counts to
-- counts.json.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("id", #threads - 1)
end

local paths, ranks, cumulative, seen = {}, {}, {}, {}
local total, pending = 0, nil
-- The counts, read by done() through thread:get().
requests, hits, misses, uncounted, not_ok = 0, 0, 0, 0, 0
first_reads, first_hits, rereads, reread_hits, reread_misses = 0, 0, 0, 0, 0
seen_ranks = {}

function init(args)
   local folder, exponent, seed = args[1], tonumber(args[2]), tonumber(args[3])
   math.randomseed(seed * 1000 + id)
   for line in io.lines(folder .. "/pages-" .. id .. ".tsv") do
      local rank, path = line:match("^(%d+)\t(.+)$")
      rank = tonumber(rank)
      total = total + rank ^ -exponent
      paths[#paths + 1], ranks[#ranks + 1], cumulative[#cumulative + 1] = path, rank, total
   end
   local by_rank = {}
   for index, rank in ipairs(ranks) do
      by_rank[rank] = index
   end
   local file = io.open(folder .. "/seen-" .. id .. ".txt", "r")
   if file then
      for line in file:lines() do
         local index = by_rank[tonumber(line)]
         if index and not seen[index] then
            seen[index] = true
            seen_ranks[#seen_ranks + 1] = ranks[index]
         end
      end
      file:close()
   end
   wrk.thread:set("folder", folder)
end

function request()
   -- The first page whose cumulative weight reaches a uniform draw: a binary search.
   local target, low, high = math.random() * total, 1, #cumulative
   while low < high do
      local middle = math.floor((low + high) / 2)
      if cumulative[middle] < target then
         low = middle + 1
      else
         high = middle
      end
   end
   pending = low
   return wrk.format("GET", paths[low])
end

function response(status, headers, body)
   local index = pending
   pending = nil
   requests = requests + 1
   local cache = headers["X-Cache"] or headers["x-cache"]
   local hit, miss = cache == "HIT", cache == "MISS"
   if hit then
      hits = hits + 1
   elseif miss then
      misses = misses + 1
   else
      uncounted = uncounted + 1
   end
   if status ~= 200 then
      not_ok = not_ok + 1
   end
   if index == nil then
      return
   end
   if seen[index] then
      rereads = rereads + 1
      if hit then
         reread_hits = reread_hits + 1
      elseif miss then
         reread_misses = reread_misses + 1
      end
   else
      first_reads = first_reads + 1
      if hit then
         first_hits = first_hits + 1
      end
      if status == 200 then
         seen[index] = true
         seen_ranks[#seen_ranks + 1] = ranks[index]
      end
   end
end

local NAMES = {
   "requests", "hits", "misses", "uncounted", "not_ok",
   "first_reads", "first_hits", "rereads", "reread_hits", "reread_misses",
}

function done(summary, latency, requests_stats)
   local sums, folder = {}, nil
   for _, name in ipairs(NAMES) do
      sums[name] = 0
   end
   for _, thread in ipairs(threads) do
      folder = thread:get("folder")
      for _, name in ipairs(NAMES) do
         sums[name] = sums[name] + thread:get(name)
      end
      local out = io.open(folder .. "/seen-out-" .. thread:get("id") .. ".txt", "w")
      for _, rank in ipairs(thread:get("seen_ranks")) do
         out:write(rank, "\n")
      end
      out:close()
   end
   local parts = {}
   for _, name in ipairs(NAMES) do
      parts[#parts + 1] = string.format('"%s": %d', name, sums[name])
   end
   parts[#parts + 1] = string.format('"threads": %d', #threads)
   parts[#parts + 1] = string.format('"duration_us": %d', summary.duration)
   parts[#parts + 1] = string.format('"completed": %d', summary.requests)
   parts[#parts + 1] = string.format('"p50_us": %d', latency:percentile(50))
   parts[#parts + 1] = string.format('"p99_us": %d', latency:percentile(99))
   local out = io.open(folder .. "/counts.json", "w")
   out:write("{", table.concat(parts, ", "), "}\n")
   out:close()
end
