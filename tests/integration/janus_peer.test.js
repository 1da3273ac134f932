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

// --trace: JSON lines of the first attendee's signaling and transport events.
function readTrace(file) {
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.strictEqual(lines[0].kind, 'run');
  for (let i = 1; i < lines.length; i++) assert.ok(lines[i].t_us >= lines[i - 1].t_us, 'in time order');
  return lines;
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
  const trace = path.join(dir, 'janus-audio.jsonl');
  const r = await run(['--target', 'janus-audiobridge', '--endpoint', janus.url, '--server-pid', janus.pid, ...AUDIO,
    '--json', json, '--trace', trace], { inNetns: true });
  assert.strictEqual(r.code, 0, r.stdout + r.stderr);
  checkAudio(JSON.parse(fs.readFileSync(json, 'utf8')), 'janus-audiobridge');
  // The trace: Janus's API as sent and received (our join with its offer, its answer), then the
  // transport: we checked Janus (controlling), Janus chose the DTLS role, media both ways.
  const lines = readTrace(trace);
  assert.strictEqual(lines[0].target, 'janus-audiobridge');
  const sig = lines.filter((l) => l.kind === 'signaling');
  assert.ok(sig.every((l) => l.protocol === 'janus'));
  assert.deepStrictEqual(sig.slice(0, 2).map((l) => [l.dir, l.type]), [['out', 'create'], ['in', 'success']]);
  const join = sig.find((l) => l.dir === 'out' && l.frame.body && l.frame.body.request === 'join');
  assert.ok(join && join.frame.jsep.type === 'offer' && join.frame.jsep.sdp.startsWith('v=0'), 'the join carries our offer as text');
  assert.ok(sig.some((l) => l.dir === 'in' && l.frame.jsep && l.frame.jsep.type === 'answer'), 'Janus answered');
  const tr = lines.filter((l) => l.kind === 'transport');
  const ice = tr.find((l) => l.event === 'ice_connected');
  assert.ok(ice && ice.controlling === true && /^127\.0\.0\.1:\d+$/.test(ice.remote), JSON.stringify(ice));
  const dtls = tr.find((l) => l.event === 'dtls_connected');
  assert.ok(dtls && ['client', 'server'].includes(dtls.role) && dtls.srtp_profile.startsWith('SRTP_'), JSON.stringify(dtls));
  assert.ok(tr.some((l) => l.event === 'first_rtp' && l.direction === 'in' && l.payload_type === 111));
  assert.ok(tr.some((l) => l.event === 'first_rtp' && l.direction === 'out' && l.payload_type === 111));

  const ours = path.join(dir, 'chime-audio.json');
  const r2 = await run(['--endpoint', server.url, '--server-pid', String(server.proc.pid), ...AUDIO, '--json', ours]);
  assert.strictEqual(r2.code, 0, r2.stdout + r2.stderr);
  checkAudio(JSON.parse(fs.readFileSync(ours, 'utf8')), 'chime');
});

test('janus-videoroom: simulcast cameras reach the other attendee at the top layer, and the same through us', { skip: SKIP || false, timeout: 90000 }, async () => {
  const json = path.join(dir, 'janus-video.json');
  const trace = path.join(dir, 'janus-video.jsonl');
  const r = await run(['--target', 'janus-videoroom', '--endpoint', janus.url, '--server-pid', janus.pid, ...VIDEO,
    '--json', json, '--trace', trace], { inNetns: true });
  assert.strictEqual(r.code, 0, r.stdout + r.stderr);
  const rep = JSON.parse(fs.readFileSync(json, 'utf8'));
  // Two PeerConnections: the subscription is Janus's offer, so there we are controlled, and the
  // DTLS client (we answered a=setup:active).
  const sub = readTrace(trace).filter((l) => l.kind === 'transport' && l.transport === 'subscription');
  const ice = sub.find((l) => l.event === 'ice_connected');
  assert.ok(ice && ice.controlling === false && ice.checks_answered_by_us > 0, JSON.stringify(ice));
  assert.strictEqual(sub.find((l) => l.event === 'dtls_connected').role, 'client');
  assert.ok(sub.some((l) => l.event === 'first_rtp' && l.direction === 'in' && l.payload_type === 96));
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
