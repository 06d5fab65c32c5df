-- Neovim's built-in LSP client attached to `cache-coach-server --stdio`, headless, for
-- test/integrations/neovim.test.ts. Works on Neovim 0.7 (vim.lsp.start_client + buf_attach_client,
-- Debian 12) and on 0.8+ (vim.lsp.start).
--
-- Environment: CACHE_COACH_NODE (node), CACHE_COACH_SERVER (dist/server.js), CACHE_COACH_ROOT (the
-- project folder), CACHE_COACH_FILE (the file to open), CACHE_COACH_OUT (where the JSON report goes),
-- CACHE_COACH_WAIT_MS (how long to wait for diagnostics).
local env = vim.env
local report = { nvim = vim.version(), diagnostics = {}, messages = {}, errors = {} }

local function write_report()
  local file = assert(io.open(env.CACHE_COACH_OUT, 'w'))
  file:write(vim.fn.json_encode(report))
  file:close()
end

local function finish()
  local ok, err = pcall(write_report)
  if not ok then io.stderr:write('cannot write the report: ' .. tostring(err) .. '\n') end
  vim.cmd('qall!')
end

local ok, err = pcall(function()
  vim.lsp.set_log_level('WARN')
  vim.cmd('filetype on')
  vim.cmd('edit ' .. vim.fn.fnameescape(env.CACHE_COACH_FILE))
  local bufnr = vim.api.nvim_get_current_buf()
  if vim.bo[bufnr].filetype == '' and env.CACHE_COACH_FILE:match('%.py$') then vim.bo[bufnr].filetype = 'python' end
  report.filetype = vim.bo[bufnr].filetype

  local config = {
    name = 'cache-coach',
    cmd = { env.CACHE_COACH_NODE, env.CACHE_COACH_SERVER, '--stdio' },
    root_dir = env.CACHE_COACH_ROOT,
    -- Answered to workspace/configuration: the server's defaults.
    settings = { cacheCoach = {} },
    handlers = {
      ['window/logMessage'] = function(_, result)
        table.insert(report.messages, result.message)
        if result.message:match('^Workspace scan:') then report.scanned = true end
      end,
      -- Diagnostics published once the server has read the whole workspace are final: before that,
      -- a rule that looks across files ("never deleted anywhere") has not seen the other files yet.
      ['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
        if report.scanned then report.published_after_scan = true end
        return vim.lsp.diagnostic.on_publish_diagnostics(err, result, ctx, config)
      end,
      ['window/showMessage'] = function(_, result) table.insert(report.messages, result.message) end,
    },
    on_exit = function(code, signal) report.exit = { code = code, signal = signal } end,
  }

  local client_id
  if vim.lsp.start then
    client_id = vim.lsp.start(config, { bufnr = bufnr })
  else
    client_id = vim.lsp.start_client(config)
    if client_id then vim.lsp.buf_attach_client(bufnr, client_id) end
  end
  if not client_id then error('the LSP client did not start') end
  report.api = vim.lsp.start and 'vim.lsp.start' or 'vim.lsp.start_client'

  local expect = env.CACHE_COACH_EXPECT_CODE
  local function has_diagnostics()
    if not report.published_after_scan then return false end
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
      if expect == nil or expect == '' or code == expect then return true end
    end
    return false
  end
  report.waited = vim.wait(tonumber(env.CACHE_COACH_WAIT_MS) or 20000, has_diagnostics, 50)

  local client = vim.lsp.get_client_by_id(client_id)
  report.server = client and client.server_capabilities and {
    name = client.name,
    hover = client.server_capabilities.hoverProvider and true or false,
    codeAction = client.server_capabilities.codeActionProvider and true or false,
  } or nil

  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local lsp = d.user_data and d.user_data.lsp or {}
    table.insert(report.diagnostics, {
      code = d.code or lsp.code,
      line = d.lnum + 1,
      column = d.col + 1,
      severity = d.severity,
      source = d.source,
      message = d.message,
    })
  end

  -- Hover on the first diagnostic: the rule's documentation, as `K` shows it.
  local first = report.diagnostics[1]
  if first then
    local params = {
      textDocument = { uri = vim.uri_from_bufnr(bufnr) },
      position = { line = first.line - 1, character = first.column - 1 },
    }
    local responses = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', params, 10000) or {}
    for _, response in pairs(responses) do
      local contents = response.result and response.result.contents
      if type(contents) == 'table' then report.hover = contents.value or vim.fn.json_encode(contents) end
      if type(contents) == 'string' then report.hover = contents end
      if response.err then table.insert(report.errors, 'hover: ' .. vim.inspect(response.err)) end
    end
  end

  vim.lsp.stop_client(client_id)
  vim.wait(2000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 50)
end)
if not ok then table.insert(report.errors, tostring(err)) end
finish()
