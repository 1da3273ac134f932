// Shared helpers for the control-API integration tests: start and stop the real sfu-server
// binary on loopback, plain and SigV4-signed HTTP requests, and /metrics snapshots.
'use strict';
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../..');
const SERVER_BIN = process.env.SFU_SERVER_BIN || path.join(ROOT, 'build/sfu-server');
const WEB_MODULES = path.join(ROOT, 'web/node_modules');

// require() a package from web/node_modules without needing NODE_PATH.
function requireWeb(name) {
  return require(require.resolve(name, { paths: [WEB_MODULES] }));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A TCP port on 127.0.0.1 that was free a moment ago.
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function tempDataDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'sfu-it-'));
}

// Every server started by this process, so a crashed test file never leaks one.
const running = new Set();
process.on('exit', () => {
  for (const proc of running) { try { proc.kill('SIGKILL'); } catch (_) { /* gone */ } }
});

// Starts sfu-server on 127.0.0.1 and resolves once GET /healthz answers 200 (10 s at most).
//   args:    extra command-line arguments (e.g. ['--api-rate', '0']); must not repeat --listen
//            or --data-dir (use port / dataDir)
//   dataDir: reuse this data directory (kept on stop); default: a fresh temp dir removed on stop
//   port:    listen on this port (default: a free one)
async function startServer({ args = [], dataDir, port } = {}) {
  const ownDataDir = !dataDir;
  const dir = dataDir || tempDataDir();
  const listenPort = port || await freePort();
  // Defaults for tests; a flag given in args replaces its default (the server rejects repeats).
  const defaults = [['--listen', `127.0.0.1:${listenPort}`], ['--media-port', '0'], ['--shards', '2'],
    ['--data-dir', dir], ['--log-level', 'warn'],
    // Off on a shared test machine, where other processes make ticks late (the overload tests set it).
    ['--overload-late-ticks', '0']];
  const fullArgs = [...defaults.filter(([flag]) => !args.includes(flag)).flat(), ...args];
  const proc = spawn(SERVER_BIN, fullArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(proc);
  let output = '';
  proc.stdout.on('data', (d) => { output += d; });
  proc.stderr.on('data', (d) => { output += d; });
  const exited = new Promise((resolve) => {
    proc.on('exit', (code, signal) => { running.delete(proc); resolve({ code, signal }); });
  });
  proc.on('error', (e) => { output += `\nspawn error: ${e.message}\n`; });

  const url = `http://127.0.0.1:${listenPort}`;
  const deadline = Date.now() + 10000;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      if (ownDataDir) fs.rmSync(dir, { recursive: true, force: true });
      throw new Error(`sfu-server exited (${proc.exitCode ?? proc.signalCode}) before it was healthy\n` +
        `command: ${SERVER_BIN} ${fullArgs.join(' ')}\n${output}`);
    }
    try {
      const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (r.status === 200) break;
    } catch (_) { /* not listening yet */ }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      await exited;
      if (ownDataDir) fs.rmSync(dir, { recursive: true, force: true });
      throw new Error(`sfu-server did not answer /healthz within 10 s\n${output}`);
    }
    await sleep(50);
  }

  const server = {
    url, port: listenPort, dataDir: dir, proc, args: fullArgs,
    output: () => output,
    exited,
    // SIGTERM, then SIGKILL after timeoutMs; resolves { code, signal, timedOut, ms }.
    async stop({ timeoutMs = 5000 } = {}) {
      const t0 = Date.now();
      let timedOut = false;
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const timer = setTimeout(() => { timedOut = true; proc.kill('SIGKILL'); }, timeoutMs);
        await exited;
        clearTimeout(timer);
      }
      const { code, signal } = await exited;
      if (ownDataDir) fs.rmSync(dir, { recursive: true, force: true });
      return { code, signal, timedOut, ms: Date.now() - t0 };
    },
    request: (method, p, body, headers) => request(server, method, p, body, headers),
    signedRequest: (method, p, body, creds, opts) => signedRequest(server, method, p, body, creds, opts),
    metrics: () => metrics(server),
    snapshot: (meetingIds) => snapshot(server, meetingIds),
  };
  return server;
}

// Registers before/after(Each) hooks for one server per test file (or describe block):
// the server's output is printed when a test fails, and the server is always stopped.
// Returns a getter: const srv = useServer({ args: [...] }); ... srv().request(...)
function useServer(options) {
  const { before, after, afterEach } = require('node:test');
  let server;
  before(async () => { server = await startServer(options); });
  afterEach((t) => {
    if (t && t.passed === false && server) {
      process.stderr.write(`\n--- sfu-server output (${server.args.join(' ')}) ---\n${server.output()}--- end ---\n`);
    }
  });
  after(async () => { if (server) await server.stop(); });
  return () => server;
}

// Plain HTTP to the server; resolves { status, headers, text, json }.
// body: undefined (none), a string/Buffer (sent as is) or an object (JSON).
async function request(server, method, pathAndQuery, body, headers = {}) {
  const init = { method, headers: { ...headers }, signal: AbortSignal.timeout(10000) };
  if (body !== undefined) {
    init.body = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    if (!Object.keys(init.headers).some((k) => k.toLowerCase() === 'content-type')) {
      init.headers['Content-Type'] = 'application/json';
    }
  }
  const r = await fetch(`${server.url}${pathAndQuery}`, init);
  const text = await r.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (_) { /* not JSON */ }
  return { status: r.status, headers: r.headers, text, json };
}

// --- AWS Signature Version 4 -----------------------------------------------------------

// SHA-256 / HMAC-SHA-256 in the shape @smithy/signature-v4 expects (no @aws-crypto here).
class NodeSha256 {
  constructor(secret) { this.h = secret ? crypto.createHmac('sha256', secret) : crypto.createHash('sha256'); }
  update(data) { this.h.update(typeof data === 'string' ? Buffer.from(data, 'utf8') : data); }
  async digest() { return new Uint8Array(this.h.digest()); }
}

function loadSmithySigner() {
  try { return requireWeb('@smithy/signature-v4').SignatureV4; } catch (_) { return null; }
}

// RFC 3986 encoding as SigV4 wants it.
function uriEncode(s) {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

// A small independent SigV4 signer (header auth, unsigned-payload not used); used when
// @smithy/signature-v4 cannot be resolved, and checked against it in api_bad_input.test.js.
function signV4Manually({ method, host, pathname, query, headers, body, accessKeyId, secretAccessKey,
  region, service, date }) {
  const amzDate = date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const payloadHash = crypto.createHash('sha256').update(body).digest('hex');
  const all = { ...headers, host, 'x-amz-date': amzDate, 'x-amz-content-sha256': payloadHash };
  const lower = Object.fromEntries(Object.entries(all).map(([k, v]) => [k.toLowerCase(), String(v).trim().replace(/\s+/g, ' ')]));
  const names = Object.keys(lower).sort();
  const canonicalQuery = Object.keys(query).sort().map((k) => `${uriEncode(k)}=${uriEncode(query[k])}`).join('&');
  const canonicalPath = pathname.split('/').map((seg) => uriEncode(decodeURIComponent(seg))).join('/');
  const canonical = [method, canonicalPath, canonicalQuery, names.map((n) => `${n}:${lower[n]}\n`).join(''),
    names.join(';'), payloadHash].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, crypto.createHash('sha256').update(canonical).digest('hex')].join('\n');
  const hmac = (key, data) => crypto.createHmac('sha256', key).update(data).digest();
  const kSigning = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, day), region), service), 'aws4_request');
  const signature = crypto.createHmac('sha256', kSigning).update(toSign).digest('hex');
  return {
    ...all,
    authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
  };
}

// Signed headers for a request to server (service "chime").
//   opts.region (default us-east-1), opts.date (default now), opts.manual (force own signer)
async function signHeaders(server, method, pathAndQuery, payload, { accessKeyId, secretAccessKey },
  { region = 'us-east-1', date = new Date(), manual = false } = {}) {
  const url = new URL(`${server.url}${pathAndQuery}`);
  const query = {};
  url.searchParams.forEach((v, k) => { query[k] = v; });
  const headers = { 'content-type': 'application/json' };
  const SignatureV4 = manual ? null : loadSmithySigner();
  if (!SignatureV4) {
    return signV4Manually({ method, host: url.host, pathname: url.pathname, query, headers, body: payload,
      accessKeyId, secretAccessKey, region, service: 'chime', date });
  }
  const signer = new SignatureV4({ credentials: { accessKeyId, secretAccessKey }, region, service: 'chime',
    sha256: NodeSha256, applyChecksum: true });
  const signed = await signer.sign({
    method, protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, query,
    headers: { ...headers, host: url.host, 'x-amz-content-sha256': crypto.createHash('sha256').update(payload).digest('hex') },
    body: payload,
  }, { signingDate: date });
  return signed.headers;
}

// A SigV4-signed request; body as for request(). Extra opts: see signHeaders; opts.tamper(payload)
// changes the body after signing.
async function signedRequest(server, method, pathAndQuery, body, creds, opts = {}) {
  const payload = body === undefined ? '' : (typeof body === 'string' ? body : JSON.stringify(body));
  const headers = await signHeaders(server, method, pathAndQuery, payload, creds, opts);
  delete headers.host; // fetch sets it (the same value)
  const sent = opts.tamper ? opts.tamper(payload) : payload;
  return request(server, method, pathAndQuery, sent === '' ? undefined : sent, headers);
}

// --- Metrics and state snapshots --------------------------------------------------------

// Parsed /metrics: Map of 'name{labels}' (as printed) -> number, plus the raw text.
async function metrics(server) {
  const r = await fetch(`${server.url}/metrics`, { signal: AbortSignal.timeout(10000) });
  const text = await r.text();
  const values = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = line.match(/^(\S+?(?:\{.*\})?) (\S+)$/);
    if (m) values.set(m[1], Number(m[2]));
  }
  return { status: r.status, text, values, get: (key) => values.get(key) };
}

// Visible store state for "nothing changed" checks: meeting and attendee gauges, and for each
// given meeting its attendee list (ids and external ids, in order).
async function snapshot(server, meetingIds = []) {
  const m = await metrics(server);
  const snap = { meetings: m.get('sfu_meetings'), attendees: m.get('sfu_attendees'), lists: {} };
  for (const id of meetingIds) snap.lists[id] = await listAllAttendees(server, id);
  return snap;
}

// Every attendee of a meeting via ListAttendees paging (raw HTTP, max-results 100).
async function listAllAttendees(server, meetingId) {
  const out = [];
  let token;
  for (let page = 0; page < 100; page += 1) {
    const q = `max-results=100${token ? `&next-token=${encodeURIComponent(token)}` : ''}`;
    const r = await request(server, 'GET', `/meetings/${meetingId}/attendees?${q}`);
    if (r.status !== 200) return { status: r.status };
    for (const a of r.json.Attendees) out.push(`${a.AttendeeId}:${a.ExternalUserId}`);
    token = r.json.NextToken;
    if (!token) return out;
  }
  throw new Error('ListAttendees did not end within 100 pages');
}

// Checks an AWS-style error response: status, x-amzn-ErrorType, JSON body Code/Message/RequestId.
// With requestId (default), also the x-amzn-RequestId header and the same RequestId in the body.
function assertError(assert, res, status, errorType, { requestId = true } = {}) {
  assert.strictEqual(res.status, status, `expected ${status} ${errorType}, got ${res.status}: ${res.text}`);
  assert.strictEqual(res.headers.get('x-amzn-errortype'), errorType, `x-amzn-ErrorType for: ${res.text}`);
  assert.ok(res.json && typeof res.json === 'object', `JSON error body: ${res.text}`);
  assert.strictEqual(res.json.Code, errorType.replace(/Exception$/, ''), `Code in ${res.text}`);
  assert.strictEqual(typeof res.json.Message, 'string');
  assert.ok(res.json.Message.length > 0, 'non-empty Message');
  if (requestId) {
    const id = res.headers.get('x-amzn-requestid');
    assert.ok(id, `x-amzn-RequestId header on ${res.status} ${res.text}`);
    assert.strictEqual(res.json.RequestId, id, 'body RequestId matches the header');
  }
}

module.exports = {
  ROOT, SERVER_BIN, requireWeb, sleep, freePort, tempDataDir, startServer, useServer,
  request, signedRequest, signHeaders, signV4Manually, loadSmithySigner,
  metrics, snapshot, listAllAttendees, assertError,
};
