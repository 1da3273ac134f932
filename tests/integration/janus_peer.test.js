// sfu-loadtest against a real Janus (Debian's janus, installed by scripts/setup.sh) and against
// sfu-server with the same small scenarios: an AudioBridge meeting (2 attendees, a talker) and a
// VideoRoom meeting (2 simulcast cameras). Janus runs on loopback with a configuration made for
// the test in a temporary directory, in a network namespace of its own (scripts/janus-peer.sh:
// Janus gathers no loopback candidates otherwise), and is stopped after; never the system
// service. Skipped, saying why, when Janus is not installed or the test cannot make namespaces.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert');
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ROOT, startServer } = require('./harness');

const BIN = process.env.SFU_LOADTEST_BIN || path.join(ROOT, 'build/sfu-loadtest');
const PEER = path.join(ROOT, 'scripts/janus-peer.sh');
// Timing objectives stay off: tests judge what works, not how fast (loadtest.test.js says why).
const FUNCTIONAL_SLO = ['--slo', 'join_p99_ms=off,mouth_to_ear_p95_ms=off,freezes_per_min=off,keyframe_wait_p95_ms=off'];

function skipReason() {
  if (spawnSync('sh', ['-c', 'command -v janus']).status !== 0) return 'janus is not installed (scripts/setup.sh installs it)';
  if (process.getuid && process.getuid() !== 0) return 'needs root for a network namespace (ip netns)';
  return '';
}
const SKIP = skipReason();
if (SKIP) console.log(`# SKIP janus_peer: ${SKIP}`);

let dir;
let janus;  // { url, pid }
let server;

// Runs `cmd args` (inside Janus's namespace with inNetns); resolves {code, stdout, stderr}.
function run(args, { inNetns = false, limitMs = 60000 } = {}) {
  return new Promise((resolve, reject) => {
    const argv = inNetns ? [PEER, 'exec', dir, BIN, ...FUNCTIONAL_SLO, ...args] : [BIN, ...FUNCTIONAL_SLO, ...args];
    const p = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { p.kill('SIGKILL'); reject(new Error(`hung: ${args.join(' ')}\n${stderr}`)); }, limitMs);
    p.on('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

before(async () => {
  if (SKIP) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sfu-janus-'));
  const started = spawnSync(PEER, ['start', dir], { encoding: 'utf8', timeout: 30000 });
  assert.strictEqual(started.status, 0, `janus-peer.sh start: ${started.stdout}${started.stderr}`);
  const env = Object.fromEntries(fs.readFileSync(path.join(dir, 'env'), 'utf8').trim().split('\n').map((l) => l.split('=')));
  janus = { url: env.JANUS_URL, pid: env.JANUS_PID, netns: env.NETNS };
  server = await startServer(['--log-level', 'warn', '--api-rate', '0']);
});

after(async () => {
  if (server) await server.stop();
  if (dir) {
    spawnSync(PEER, ['stop', dir], { timeout: 30000 });
    const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
    assert.ok(!janus || !list.includes(janus.netns), 'the namespace is gone');
    assert.throws(() => process.kill(Number(janus.pid), 0), 'Janus stopped');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// The scenarios, run the same way against each target.
const AUDIO = ['--meetings', '1', '--attendees', '2', '--talkers', '1', '--duration', '4', '--quiet'];
const VIDEO = ['--meetings', '1', '--attendees', '2', '--talkers', '0', '--video-senders', '2', '--simulcast', '--duration', '5', '--quiet'];

function checkAudio(rep, target) {
  assert.strictEqual(rep.target, target);
  assert.strictEqual(rep.passed, true, rep.verdict);
  assert.strictEqual(rep.joins.succeeded, 2);
  assert.ok(rep.audio.packets_received > 2 * 40 * 2, `${target}: mixed audio received ${rep.audio.packets_received}`);
  assert.ok(rep.audio.talker_presence_pct >= 90, `${target}: the talker heard ${rep.audio.talker_presence_pct}%`);
  assert.strictEqual(rep.audio.mix_minus_violations, 0);
  assert.ok(rep.audio.mouth_to_ear_ms.n > 0, `${target}: mouth-to-ear measured`);
  const byName = Object.fromEntries(rep.slo.map((o) => [o.name, o]));
  assert.strictEqual(byName.talkers_heard_pct.result, 'pass');
  assert.strictEqual(byName.frames_decoded_pct.result, 'n/a');
  // The server's whole process from /proc, per unit of work as the clients saw it.
  assert.strictEqual(rep.server.cost_available, true);
  assert.match(rep.server.cpu_source, /^\/proc\/\d+$/);
  assert.ok(rep.server.cpu_s > 0 && rep.server.rss_mib > 0 && rep.server.rss_peak_mib >= rep.server.rss_mib);
  assert.ok(rep.server.client_rtp_received > 0 && rep.server.cpu_us_per_rtp_received > 0);
  assert.ok(rep.server.media_attendee_seconds > 0 && rep.server.cpu_us_per_media_attendee_second > 0);
}

function checkVideo(rep, target) {
  assert.strictEqual(rep.target, target);
  assert.strictEqual(rep.passed, true, rep.verdict);
  assert.strictEqual(rep.joins.succeeded, 2);
  const v = rep.video;
  assert.strictEqual(v.first_frame_ms.n, 2, `${target}: each attendee decoded the other's camera`);
  assert.ok(v.frames_received > 50, `${target}: frames decoded ${v.frames_received}`);
  assert.ok(v.frames_received <= v.frames_expected && v.frames_received >= v.frames_expected * 0.95,
    `${target}: ${v.frames_received} decoded of ${v.frames_expected}`);
  assert.deepStrictEqual(v.widths_at_end, { 640: 2 }, `${target}: the highest simulcast layer`);
  assert.ok(rep.server.cpu_us_per_rtp_received > 0);
}

test('janus-audiobridge: two attendees hear each other through the mix, and the same through us', { skip: SKIP || false, timeout: 90000 }, async () => {
  const json = path.join(dir, 'janus-audio.json');
  const r = await run(['--target', 'janus-audiobridge', '--endpoint', janus.url, '--server-pid', janus.pid, ...AUDIO, '--json', json], { inNetns: true });
  assert.strictEqual(r.code, 0, r.stdout + r.stderr);
  checkAudio(JSON.parse(fs.readFileSync(json, 'utf8')), 'janus-audiobridge');

  const ours = path.join(dir, 'chime-audio.json');
  const r2 = await run(['--endpoint', server.url, '--server-pid', String(server.proc.pid), ...AUDIO, '--json', ours]);
  assert.strictEqual(r2.code, 0, r2.stdout + r2.stderr);
  checkAudio(JSON.parse(fs.readFileSync(ours, 'utf8')), 'chime');
});

test('janus-videoroom: simulcast cameras reach the other attendee at the top layer, and the same through us', { skip: SKIP || false, timeout: 90000 }, async () => {
  const json = path.join(dir, 'janus-video.json');
  const r = await run(['--target', 'janus-videoroom', '--endpoint', janus.url, '--server-pid', janus.pid, ...VIDEO, '--json', json], { inNetns: true });
  assert.strictEqual(r.code, 0, r.stdout + r.stderr);
  const rep = JSON.parse(fs.readFileSync(json, 'utf8'));
  checkVideo(rep, 'janus-videoroom');
  // The VideoRoom forwards audio rather than mixing it: those objectives are n/a there.
  assert.strictEqual(rep.slo.find((o) => o.name === 'talkers_heard_pct').result, 'n/a');

  const ours = path.join(dir, 'chime-video.json');
  const r2 = await run(['--endpoint', server.url, '--server-pid', String(server.proc.pid), ...VIDEO, '--json', ours]);
  assert.strictEqual(r2.code, 0, r2.stdout + r2.stderr);
  checkVideo(JSON.parse(fs.readFileSync(ours, 'utf8')), 'chime');
});

test('flags: what a Janus target cannot do is refused before anything starts', { skip: SKIP || false }, async () => {
  const audioOnly = await run(['--target', 'janus-audiobridge', '--endpoint', janus.url, '--video-senders', '1']);
  assert.strictEqual(audioOnly.code, 2);
  assert.match(audioOnly.stderr, /audio only/);
  const data = await run(['--target', 'janus-videoroom', '--endpoint', janus.url, '--data-rate', '1']);
  assert.strictEqual(data.code, 2);
  assert.match(data.stderr, /data messages/);
  const bad = await run(['--target', 'mediasoup']);
  assert.strictEqual(bad.code, 2);
  assert.match(bad.stderr, /--target must be/);
  // Unreachable Janus: a clear message, exit 2 (outside the namespace nothing listens there).
  const unreachable = await run(['--target', 'janus-audiobridge', '--endpoint', 'ws://127.0.0.1:1', '--duration', '2']);
  assert.strictEqual(unreachable.code, 2);
  assert.match(unreachable.stderr, /cannot reach Janus/);
});
