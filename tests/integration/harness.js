// Helpers for tests that need a running sfu-server and a real Chromium (and, in cluster mode, a
// private redis-server).
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../..');
const SERVER_BIN = process.env.SFU_SERVER_BIN || path.join(ROOT, 'build/sfu-server');

function requireWeb(name) {
  return require(require.resolve(name, { paths: [path.join(ROOT, 'web/node_modules')] }));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// Starts sfu-server on loopback with a fresh data dir; resolves once /healthz answers.
// options.tls: the server was given --tls-cert/--tls-key (https); certificate checks are skipped
// for this process's fetches (a self-signed test certificate).
// options.port: listen on this port (a restart on the same address); default a free one.
async function startServer(extraArgs = [], options = {}) {
  const port = options.port || await freePort();
  // A caller-supplied --data-dir is kept on stop (restart tests); ours is removed.
  const ownDataDir = !extraArgs.includes('--data-dir');
  const dataDir = ownDataDir ? fs.mkdtempSync(path.join(os.tmpdir(), 'sfu-it-')) : extraArgs[extraArgs.indexOf('--data-dir') + 1];
  const args = ['--listen', `127.0.0.1:${port}`, '--media-port', '0', ...(ownDataDir ? ['--data-dir', dataDir] : []),
    '--announce-ip', '127.0.0.1',
    ...(extraArgs.includes('--log-level') ? [] : ['--log-level', process.env.SFU_TEST_LOG_LEVEL || 'info']),
    // Tests share the machine with Chromium and each other: late ticks say nothing about the
    // server there, so overload admission is off unless a test asks for it.
    ...(extraArgs.includes('--overload-late-ticks') ? [] : ['--overload-late-ticks', '0']), ...extraArgs];
  const proc = spawn(SERVER_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.on('data', (d) => { output += d; });
  proc.stderr.on('data', (d) => { output += d; });
  if (options.tls) process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  const url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const deadline = Date.now() + 10000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`sfu-server exited ${proc.exitCode}:\n${output}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch (_) { /* not up yet */ }
    if (Date.now() > deadline) { proc.kill('SIGKILL'); throw new Error(`sfu-server did not start:\n${output}`); }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url, port, dataDir, proc,
    output: () => output,
    async stop() {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        await new Promise((resolve) => {
          const t = setTimeout(() => { proc.kill('SIGKILL'); resolve(); }, 5000);
          proc.on('exit', () => { clearTimeout(t); resolve(); });
        });
      }
      if (ownDataDir) fs.rmSync(dataDir, { recursive: true, force: true });
      if (process.env.SFU_TEST_SHOW_SERVER_LOG) process.stderr.write(output);
    },
  };
}

// Headless Debian Chromium with fake devices, WebRTC on loopback only.
async function launchChromium(extraArgs = []) {
  const { chromium } = requireWeb('playwright-core');
  const executablePath = process.env.SFU_CHROMIUM || '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) throw new Error(`${executablePath} not found: run scripts/setup.sh`);
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      '--allow-loopback-in-peer-connection', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--autoplay-policy=no-user-gesture-required', '--disable-quic', ...extraArgs],
  });
}

// Starts a private redis-server (Debian's, as the cluster tests use it) on 127.0.0.1:port with
// its files in dir (appendonly yes, appendfsync always, no RDB snapshots, log in dir/redis.log);
// resolves once redis-cli PING answers. Started again with the same port and dir it reloads what
// it had (a Redis restart). Returns { proc, port, url, stop() }.
async function startRedis({ port, dir }) {
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir,
    '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--daemonize', 'no',
    '--logfile', path.join(dir, 'redis.log')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.on('data', (d) => { output += d; });
  proc.stderr.on('data', (d) => { output += d; });
  proc.on('error', (e) => { output += `spawn error: ${e.message} (scripts/setup.sh installs redis-server)\n`; });
  process.on('exit', () => { try { proc.kill('SIGKILL'); } catch (_) { /* gone */ } });
  const deadline = Date.now() + 10000;
  for (;;) {
    const r = spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' });
    if (r.stdout && r.stdout.trim() === 'PONG') break;
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill('SIGKILL');
      const log = fs.existsSync(path.join(dir, 'redis.log')) ? fs.readFileSync(path.join(dir, 'redis.log'), 'utf8') : '';
      throw new Error(`redis-server did not start:\n${output}\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    proc,
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: () => new Promise((resolve) => {
      if (proc.exitCode !== null) { resolve(); return; }
      proc.on('exit', () => resolve());
      proc.kill('SIGTERM');
    }),
  };
}

// Polls fn every 200 ms until it returns something truthy (which is returned); throws after ms.
async function waitUntil(fn, what, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// The real AWS SDK's client for one loopback server or node ({ url }): unsigned servers ignore
// the credentials; one attempt, so a test sees the first answer.
function meetingsClient(node) {
  const sdk = requireWeb('@aws-sdk/client-chime-sdk-meetings');
  return new sdk.ChimeSDKMeetingsClient({
    endpoint: node.url, region: 'us-east-1', maxAttempts: 1,
    credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
  });
}

module.exports = {
  ROOT, SERVER_BIN, requireWeb, freePort, startServer, launchChromium, startRedis, waitUntil,
  meetingsClient,
};
