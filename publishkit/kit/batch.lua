-- One pandoc process converts many documents: this is what removes pandoc's start-up cost
-- per article and per format. Python sends one JSON request on stdin. The answer on stdout is
-- one JSON line with pandoc's version, then one line per job, in order, each flushed when it
-- is ready: Python gives every job its own time limit and, when one runs out (or pandoc dies),
-- knows which job it was and starts pandoc again for the jobs after it. Python has already
-- validated every image target and removed raw passthrough from every AST it sends, because
-- pandoc.write() here is not sandboxed.
local READER = 'commonmark_x-raw_html-raw_attribute-yaml_metadata_block'

local req = pandoc.json.decode(io.read('a'), false)

local function answer(value)
  io.write(pandoc.json.encode(value), '\n')
  io.stdout:flush()
end

local function read_one(md, sourcepos)
  -- sourcepos (for the content checks) wraps elements in Spans/Divs carrying data-pos="line:col-line:col".
  local doc = pandoc.read(md, sourcepos and (READER .. '+sourcepos') or READER)
  return pandoc.write(doc, 'json')
end

local function write_one(job)
  local doc = pandoc.read(job.ast, 'json')
  local opts = { columns = job.columns or 72, wrap_text = job.wrap or 'auto' }
  if job.reference_doc then opts.reference_doc = job.reference_doc end
  if job.binary then
    -- A binary result (a docx is a zip) goes to a file: the JSON answer carries text only.
    local bytes = pandoc.write(doc, job.to, opts)
    local f = assert(io.open(job.out, 'wb'))
    f:write(bytes)
    f:close()
    return job.out
  end
  return pandoc.write(doc, job.to, opts)
end

answer({ version = tostring(PANDOC_VERSION) })
for _, job in ipairs(req.jobs) do
  local ok, result
  if req.op == 'read' then
    ok, result = pcall(read_one, job.md, job.sourcepos)
  else
    ok, result = pcall(write_one, job)
  end
  if ok then
    answer({ key = job.key, ok = true, value = result })
  else
    answer({ key = job.key, ok = false, error = tostring(result) })
  end
end
