-- One pandoc process converts many documents: this is what removes pandoc's start-up cost
-- per article and per format. Python sends one JSON request on stdin and reads one JSON
-- answer on stdout. Python has already validated every image target and removed raw
-- passthrough from every AST it sends, because pandoc.write() here is not sandboxed.
local READER = 'commonmark_x-raw_html-raw_attribute-yaml_metadata_block'

local req = pandoc.json.decode(io.read('a'), false)
local out = { version = tostring(PANDOC_VERSION), results = {} }

local function read_one(md, sourcepos)
  -- sourcepos (for the content checks) wraps elements in Spans/Divs carrying data-pos="line:col-line:col".
  local doc = pandoc.read(md, sourcepos and (READER .. '+sourcepos') or READER)
  return pandoc.write(doc, 'json')
end

local function write_one(job)
  local doc = pandoc.read(job.ast, 'json')
  local opts = { columns = job.columns or 72, wrap_text = job.wrap or 'auto' }
  if job.to == 'docx' then
    if job.reference_doc then opts.reference_doc = job.reference_doc end
    local bytes = pandoc.write(doc, 'docx', opts)
    local f = assert(io.open(job.out, 'wb'))
    f:write(bytes)
    f:close()
    return job.out
  end
  return pandoc.write(doc, job.to, opts)
end

for _, job in ipairs(req.jobs) do
  local ok, result
  if req.op == 'read' then
    ok, result = pcall(read_one, job.md, job.sourcepos)
  else
    ok, result = pcall(write_one, job)
  end
  if ok then
    out.results[job.key] = { ok = true, value = result }
  else
    out.results[job.key] = { ok = false, error = tostring(result) }
  end
end

io.write(pandoc.json.encode(out))
