// sfu-loadtest, the real binary, against a real sfu-server on loopback: small scenarios whose
// JSON report must be complete and consistent, and bad input that must end quickly with a clear
// message and a non-zero exit (never a hang).
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ROOT, startServer } = require('./harness');

const BIN = process.env.SFU_LOADTEST_BIN || path.join(ROOT, 'build/sfu-loadtest');
let server;
let dir;

// Tests judge what works, not how fast (they share two cores with whatever else runs): the
// timing objectives are off unless a test sets them (a later --slo overrides this one).
const FUNCTIONAL_SLO = ['--slo', 'join_p99_ms=off,mouth_to_ear_p95_ms=off,freezes_per_min=off,keyframe_wait_p95_ms=off'];

// Runs sfu-loadtest; resolves {code, stdout, stderr, ms}. Killed (and failed) after limitMs.
function run(args, limitMs = 60000, onStart) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const p = spawn(BIN, args.includes('--endpoint') ? [...FUNCTIONAL_SLO, ...args] : args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { p.kill('SIGKILL'); reject(new Error(`sfu-loadtest hung: ${args.join(' ')}\n${stderr}`)); }, limitMs);
    p.on('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr, ms: Date.now() - t0 }); });
    if (onStart) onStart(p);
  });
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sfu-loadtest-'));
  server = await startServer(['--log-level', 'warn', '--api-rate', '0']);
});

after(async () => {
  if (server) await server.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('2 meetings x 5 attendees with talkers, data and mute toggles: a complete, consistent report', { timeout: 90000 }, async () => {
  const json = path.join(dir, 'basic.json');
  const html = path.join(dir, 'basic.html');
  const r = await run(['--endpoint', server.url, '--meetings', '2', '--attendees', '5', '--talkers', '2',
    '--duration', '6', '--data-rate', '2', '--mute-toggle', '0.5', '--json', json, '--report', html]);
  console.log(r.stdout);
  assert.strictEqual(r.code, 0, r.stderr);
  assert.match(r.stderr, /\[ *\d+\.\ds\] in meeting \d+\/10/, 'live progress once a second');
  const rep = JSON.parse(fs.readFileSync(json, 'utf8'));
  assert.strictEqual(rep.passed, true);
  assert.strictEqual(rep.joins.attempted, 10);
  assert.strictEqual(rep.joins.succeeded, 10);
  assert.deepStrictEqual(rep.joins.failed_by_reason, {});
  assert.strictEqual(rep.joins.time_ms.n, 10);
  assert.ok(rep.joins.time_ms.p50 > 0 && rep.joins.time_ms.p50 <= rep.joins.time_ms.p99 && rep.joins.time_ms.p99 <= rep.joins.time_ms.max);
  const a = rep.audio;
  assert.ok(a.packets_sent > 10 * 40 * 3, `audio sent ${a.packets_sent}`);
  assert.ok(a.packets_received > 0 && a.packets_received <= a.packets_expected, 'received <= expected');
  assert.strictEqual(a.mix_minus_violations, 0);
  assert.ok(a.analysed_frames > 100);
  assert.ok(a.talker_presence_pct >= 90, `talkers heard ${a.talker_presence_pct}%`);
  assert.ok(a.mouth_to_ear_ms.n > 0 && a.mouth_to_ear_ms.p50 > 0);
  const d = rep.data_messages;
  assert.ok(d.sent > 0 && d.received > 0);
  assert.ok(d.received + d.throttled <= d.sent * 4, 'each message reaches at most the 4 others');
  assert.ok(rep.mute_toggles > 0);
  assert.strictEqual(rep.server.metrics_available, true);
  assert.ok(rep.server.cpu_s > 0 && rep.server.packets_out > 0 && rep.server.mixed_attendee_seconds > 0);
  assert.ok(rep.client.cpu_us_per_attendee_second > 0);
  assert.ok(rep.timeline.length >= 4, 'one sample per second');
  const page = fs.readFileSync(html, 'utf8');
  assert.match(page, /<svg/);
  assert.match(page, /Join time/);
});

test('the verdict follows the objectives: a missed one fails the run (exit 1) and says which', { timeout: 90000 }, async () => {
  const json = path.join(dir, 'slo.json');
  const html = path.join(dir, 'slo.html');
  const r = await run(['--endpoint', server.url, '--meetings', '2', '--attendees', '3', '--talkers', '1',
    '--duration', '4', '--quiet', '--slo', 'join_p99_ms=0.01', '--slo', 'talkers_heard_pct=off', '--json', json, '--report', html]);
  assert.strictEqual(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /verdict: FAIL/);
  assert.match(r.stdout, /join_p99_ms +<= 0\.01 +[\d.]+ +FAIL/);
  const rep = JSON.parse(fs.readFileSync(json, 'utf8'));
  assert.strictEqual(rep.passed, false);
  const byName = Object.fromEntries(rep.slo.map((o) => [o.name, o]));
  assert.strictEqual(byName.join_p99_ms.result, 'fail');
  assert.ok(byName.join_p99_ms.measured > 0.01);
  assert.strictEqual(byName.join_success_pct.result, 'pass');
  assert.strictEqual(byName.talkers_heard_pct, undefined, 'an objective turned off is left out');
  assert.strictEqual(byName.frames_decoded_pct.result, 'n/a');
  assert.strictEqual(rep.per_meeting.length, 2);
  assert.strictEqual(rep.per_meeting[1].joins_succeeded, 3);
  assert.ok(rep.client.ticks > 100 && rep.client.late_ticks <= rep.client.ticks);
  // The page leads with the verdict, then the per-meeting rows, then the plots.
  const page = fs.readFileSync(html, 'utf8');
  assert.ok(page.indexOf('Verdict: FAIL') < page.indexOf('Per meeting'));
  assert.ok(page.indexOf('Per meeting') < page.indexOf('<svg'));
  const bad = await run(['--endpoint', server.url, '--slo', 'join_p99=5'], 10000);
  assert.strictEqual(bad.code, 2);
  assert.match(bad.stderr, /unknown objective 'join_p99'/);
});

test('--trace: the first attendee\'s Chime signaling frames and transport events as JSON lines', { timeout: 60000 }, async () => {
  const trace = path.join(dir, 'trace.jsonl');
  const r = await run(['--endpoint', server.url, '--meetings', '2', '--attendees', '2', '--talkers', '1',
    '--video-senders', '1', '--duration', '3', '--quiet', '--trace', trace]);
  assert.strictEqual(r.code, 0, r.stdout + r.stderr);
  const lines = fs.readFileSync(trace, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepStrictEqual([lines[0].kind, lines[0].target, lines[0].attendee], ['run', 'chime', 0]);
  const sig = lines.filter((l) => l.kind === 'signaling');
  assert.ok(sig.every((l) => l.protocol === 'chime' && ['in', 'out'].includes(l.dir) && l.frame.type === l.type));
  assert.deepStrictEqual(sig.slice(0, 2).map((l) => [l.dir, l.type]), [['out', 'JOIN'], ['in', 'JOIN_ACK']]);
  // Every decoded field, SDP kept as text.
  const sub = sig.find((l) => l.type === 'SUBSCRIBE');
  assert.match(sub.frame.sub.sdp_offer, /^v=0\r\n/);
  const ack = sig.find((l) => l.type === 'SUBSCRIBE_ACK');
  assert.match(ack.frame.suback.sdp_answer, /a=ice-lite/);
  assert.ok(sig.some((l) => l.type === 'LEAVE' && l.dir === 'out'));
  // Only the first attendee of the first meeting: one JOIN.
  assert.strictEqual(sig.filter((l) => l.type === 'JOIN').length, 1);
  const tr = lines.filter((l) => l.kind === 'transport');
  const ice = tr.find((l) => l.event === 'ice_connected');
  assert.ok(ice && ice.controlling === true && ice.path === 'udp', JSON.stringify(ice));
  const dtls = tr.find((l) => l.event === 'dtls_connected');
  assert.ok(dtls && dtls.role === 'client' && dtls.version === 'DTLSv1.2' && dtls.srtp_profile === 'SRTP_AEAD_AES_128_GCM', JSON.stringify(dtls));
  assert.ok(tr.some((l) => l.event === 'first_rtp' && l.direction === 'in' && l.payload_type === 111), 'mixed audio arrived');
  assert.ok(tr.some((l) => l.event === 'first_rtp' && l.direction === 'out' && l.payload_type === 96), 'its camera went out');
  assert.match(r.stdout, /trace: \d+ lines in/);
});

test('churn: attendees leave and rejoin and every join succeeds', { timeout: 90000 }, async () => {
  const json = path.join(dir, 'churn.json');
  const r = await run(['--endpoint', server.url, '--meetings', '1', '--attendees', '5', '--talkers', '1',
    '--duration', '9', '--churn', '1', '--quiet', '--json', json]);
  assert.strictEqual(r.code, 0, r.stdout + r.stderr);
  const rep = JSON.parse(fs.readFileSync(json, 'utf8'));
  assert.ok(rep.leaves >= 3, `leaves ${rep.leaves}`);
  assert.ok(rep.joins.attempted > 5);
  assert.strictEqual(rep.joins.succeeded, rep.joins.attempted);
});

test('an uplink jitter burst: the report gives mouth-to-ear before, during and after it', { timeout: 90000 }, async () => {
  const json = path.join(dir, 'burst.json');
  const r = await run(['--endpoint', server.url, '--meetings', '1', '--attendees', '4', '--talkers', '2',
    '--duration', '14', '--jitter', '80', '--delay-from', '5', '--delay-until', '8', '--quiet', '--json', json]);
  assert.strictEqual(r.code, 0, r.stdout + r.stderr);
  const rep = JSON.parse(fs.readFileSync(json, 'utf8'));
  const b = rep.delay_burst;
  assert.ok(b, 'delay_burst in the JSON report');
  assert.strictEqual(b.from_s, 5);
  assert.strictEqual(b.until_s, 8);
  assert.ok(b.mouth_to_ear_before_ms > 0 && b.mouth_to_ear_during_ms > 0, JSON.stringify(b));
  // Only delays are measured (benchmarks, not tests); the figures are in docs/PERFORMANCE.md.
  console.log(`burst: mouth-to-ear before ${b.mouth_to_ear_before_ms} ms, during ${b.mouth_to_ear_during_ms} ms, back ${b.recovered_s} s after`);
  const bad = await run(['--endpoint', server.url, '--delay-from', '5', '--delay-until', '3'], 10000);
  assert.strictEqual(bad.code, 2);
  assert.match(bad.stderr, /--delay-until/);
});

test('10% loss on one sender: the others still hear it', { timeout: 90000 }, async () => {
  const json = path.join(dir, 'loss.json');
  const r = await run(['--endpoint', server.url, '--meetings', '1', '--attendees', '4', '--talkers', '1',
    '--duration', '8', '--loss', '10', '--impaired-attendees', '1', '--quiet', '--json', json]);
  assert.strictEqual(r.code, 0, r.stdout + r.stderr);
  const rep = JSON.parse(fs.readFileSync(json, 'utf8'));
  assert.ok(rep.audio.packets_impaired > 20, `dropped ${rep.audio.packets_impaired}`);
  assert.ok(rep.audio.talker_presence_pct >= 90, `the lossy talker heard ${rep.audio.talker_presence_pct}% of the time`);
  assert.strictEqual(rep.audio.mix_minus_violations, 0);
});

test('cameras: every attendee receives the others\' video through the SFU', { timeout: 90000 }, async () => {
  const json = path.join(dir, 'video.json');
  const r = await run(['--endpoint', server.url, '--meetings', '1', '--attendees', '3', '--talkers', '1',
    '--video-senders', '2', '--duration', '6', '--quiet', '--json', json]);
  assert.strictEqual(r.code, 0, r.stdout + r.stderr);
  const v = JSON.parse(fs.readFileSync(json, 'utf8')).video;
  console.log(JSON.stringify(v));
  assert.strictEqual(v.senders_per_meeting, 2);
  assert.ok(v.frames_sent > 100, `frames sent ${v.frames_sent}`);
  // 2 cameras: each seen by the 2 others -> 4 sections, each decoding a first frame; received
  // frames at most sent x 2. (sections_subscribed, the tracks of each attendee's last
  // SUBSCRIBE_ACK, came out 3 in about one run of six here although all 4 sections got video:
  // a renegotiation race in that count, not yet understood.)
  assert.strictEqual(v.first_frame_ms.n, 4, 'every section decoded video');
  assert.ok(v.sections_subscribed >= 3 && v.sections_subscribed <= 4, `sections ${v.sections_subscribed}`);
  assert.ok(v.frames_received > v.frames_sent, `frames received ${v.frames_received}`);
  // Every frame the server forwarded (PictureID spans) decodes on a clean loopback.
  assert.ok(v.frames_received <= v.frames_expected, `${v.frames_received} decoded of ${v.frames_expected} expected`);
  assert.ok(v.frames_received >= v.frames_expected * 0.95, `${v.frames_received} decoded of ${v.frames_expected} expected`);
  // Slack: senders and receivers are read on different threads at the end, and a layer switch
  // can show one capture instant twice (the old layer's frame, then the new layer's key frame).
  assert.ok(v.frames_received <= v.frames_sent * 2 * 1.02 + v.sections_subscribed, `${v.frames_received} received of ${v.frames_sent} sent`);
});

test('simulcast cameras: receivers take the highest layer of each camera through the SFU', { timeout: 90000 }, async () => {
  const json = path.join(dir, 'simulcast.json');
  const r = await run(['--endpoint', server.url, '--meetings', '1', '--attendees', '3', '--talkers', '1',
    '--video-senders', '2', '--simulcast', '--duration', '6', '--quiet', '--json', json]);
  assert.strictEqual(r.code, 0, r.stdout + r.stderr);
  const v = JSON.parse(fs.readFileSync(json, 'utf8')).video;
  console.log(JSON.stringify(v));
  // One section per other camera, not one per layer: 4 sections, each decoding video. The count of
  // the last SUBSCRIBE_ACK's tracks has the renegotiation race noted in the cameras test above
  // (3 in about one run of six), so the sections are checked through their first frames.
  assert.strictEqual(v.first_frame_ms.n, 4, 'one section per other camera, each decoding video');
  assert.ok(v.sections_subscribed >= 3 && v.sections_subscribed <= 4, `sections ${v.sections_subscribed} (never one per layer)`);
  assert.ok(v.frames_received > v.frames_sent, `frames received ${v.frames_received}`);
  // Slack: senders and receivers are read on different threads at the end, and a layer switch
  // can show one capture instant twice (the old layer's frame, then the new layer's key frame).
  assert.ok(v.frames_received <= v.frames_sent * 2 * 1.02 + v.sections_subscribed, `${v.frames_received} received of ${v.frames_sent} sent`);
  const m = await (await fetch(`${server.url}/metrics`)).text();
  assert.match(m, /sfu_video_packets_total\{shard="\d+",outcome="unknown"\} 0/, 'every RID-tagged packet found its layer');
});

test('a constrained subscriber drops to a lower layer, keeps moving, and climbs back when the limit lifts', { timeout: 90000 }, async () => {
  // One simulcast camera, one viewer behind a 250 kb/s bottleneck from 6 s to 14 s (hi is ~500 kb/s).
  const json = path.join(dir, 'constrained.json');
  const r = await run(['--endpoint', server.url, '--meetings', '1', '--attendees', '2', '--talkers', '1',
    '--video-senders', '1', '--simulcast', '--duration', '30', '--downlink-limit', '250',
    '--downlink-limit-from', '6', '--downlink-limit-until', '14', '--quiet', '--json', json,
    // Squeezing a camera through 250 kb/s costs frames by design.
    '--slo', 'frames_decoded_pct=80']);
  assert.strictEqual(r.code, 0, r.stdout + r.stderr);
  const v = JSON.parse(fs.readFileSync(json, 'utf8')).video;
  console.log(JSON.stringify(v));
  assert.strictEqual(v.constrained.length, 1);
  const c = v.constrained[0];
  assert.strictEqual(c.width_before, 640, 'the hi layer before the limit');
  assert.ok(c.lowest_width < 640 && c.down_ms >= 0, `a lower layer under the limit: ${JSON.stringify(c.widths)}`);
  // No frozen video once it settled: frames keep being decoded (the camera sends 25/s).
  assert.ok(c.settled_fps >= 12, `decoded ${c.settled_fps} frames/s under the limit`);
  assert.strictEqual(c.width_at_end, 640, `back to hi after the limit: ${JSON.stringify(c.widths)}`);
  assert.ok(c.up_ms >= 0);
  const m = await (await fetch(`${server.url}/metrics`)).text();
  assert.match(m, /sfu_video_layer_switches_total\{shard="\d+",direction="down"\} [1-9]/);
  assert.match(m, /sfu_video_probes_total\{shard="\d+"\} [1-9]/, 'it climbed back through a probe');
});

test('10% loss both ways is repaired by NACK, and new subscribers get a first frame', { timeout: 90000 }, async () => {
  // Two cameras; the first attendee loses 10% of its packets in both directions: the server
  // NACKs its camera, and it NACKs the server for what it receives.
  const json = path.join(dir, 'nack.json');
  const r = await run(['--endpoint', server.url, '--meetings', '1', '--attendees', '2', '--talkers', '1',
    '--video-senders', '2', '--loss', '10', '--impaired-attendees', '1', '--duration', '8', '--quiet', '--json', json,
    // 10 % loss both ways breaks pictures that NACK cannot always repair in time.
    '--slo', 'frames_decoded_pct=80']);
  assert.strictEqual(r.code, 0, r.stdout + r.stderr);
  const v = JSON.parse(fs.readFileSync(json, 'utf8')).video;
  console.log(JSON.stringify(v));
  assert.ok(v.nacks_sent > 0, 'the lossy receiver NACKed');
  assert.ok(v.packets_recovered > 0, 'retransmissions filled its gaps');
  assert.ok(v.retransmissions > 0, 'the lossy camera resent what the server NACKed');
  // Most frames decode despite the loss (a broken chain waits for a key frame).
  assert.ok(v.frames_received >= v.frames_sent * 0.8, `decoded ${v.frames_received} of ${v.frames_sent} sent`);
  assert.strictEqual(v.first_frame_ms.n, 2, 'each new subscription decoded a first frame');
  const m = await (await fetch(`${server.url}/metrics`)).text();
  assert.match(m, /sfu_video_packets_total\{shard="\d+",outcome="rtx_unwrapped"\} [1-9]/, 'the camera resent on RTX (FID group)');
});

test('an unreachable server: a clear message and exit 2, quickly', { timeout: 30000 }, async () => {
  const r = await run(['--endpoint', 'http://127.0.0.1:1', '--duration', '5'], 20000);
  assert.strictEqual(r.code, 2);
  assert.match(r.stderr, /CreateMeeting: connect to 127\.0\.0\.1:1: Connection refused/);
});

test('a wrong API key: the server refuses it, exit 2', { timeout: 30000 }, async () => {
  const signed = await startServer(['--log-level', 'warn', '--api-key', 'AKIDLOADTEST:right-secret']);
  try {
    const wrong = await run(['--endpoint', signed.url, '--api-key', 'AKIDLOADTEST:wrong-secret', '--duration', '3'], 20000);
    assert.strictEqual(wrong.code, 2);
    assert.match(wrong.stderr, /CreateMeeting: HTTP 403/);
    const right = await run(['--endpoint', signed.url, '--api-key', 'AKIDLOADTEST:right-secret', '--attendees', '2',
      '--duration', '3', '--quiet'], 30000);
    assert.strictEqual(right.code, 0, right.stdout + right.stderr);
  } finally {
    await signed.stop();
  }
});

test('a meeting that ends mid-run: reported, exit 1, no hang', { timeout: 60000 }, async () => {
  const created = await (await fetch(`${server.url}/meetings`, { method: 'POST', body: '{}' })).json();
  const id = created.Meeting.MeetingId;
  const json = path.join(dir, 'ended.json');
  const r = await run(['--endpoint', server.url, '--meeting-id', id, '--attendees', '3', '--duration', '30',
    '--quiet', '--json', json], 40000, () => {
    setTimeout(() => { fetch(`${server.url}/meetings/${id}`, { method: 'DELETE' }).catch(() => {}); }, 3000);
  });
  assert.strictEqual(r.code, 1, r.stdout + r.stderr);
  assert.ok(r.ms < 20000, `stopped early (${r.ms} ms)`);
  const rep = JSON.parse(fs.readFileSync(json, 'utf8'));
  assert.strictEqual(rep.meeting_ended, true);
  assert.match(r.stdout, /ended a meeting/);
});

test('--media-path tcp, turn-tls, turn-tcp: audio and video flow over ICE-TCP and the TURN server', { timeout: 120000 }, async () => {
  // TURN credentials in every JOIN_ACK need --turn-policy always (the shared server has auto).
  const relay = await startServer(['--log-level', 'warn', '--api-rate', '0', '--turn-policy', 'always']);
  try {
    for (const mediaPath of ['tcp', 'turn-tls', 'turn-tcp']) {
      const json = path.join(dir, `path-${mediaPath}.json`);
      const r = await run(['--endpoint', relay.url, '--meetings', '1', '--attendees', '3', '--talkers', '2',
        '--video-senders', '1', '--duration', '5', '--quiet', '--media-path', mediaPath, '--json', json]);
      assert.strictEqual(r.code, 0, mediaPath + '\n' + r.stdout + r.stderr);
      const rep = JSON.parse(fs.readFileSync(json, 'utf8'));
      assert.strictEqual(rep.scenario.media_path, mediaPath);
      assert.strictEqual(rep.joins.succeeded, 3);
      assert.ok(rep.audio.packets_received > 3 * 40 * 3, `${mediaPath}: audio received ${rep.audio.packets_received}`);
      assert.ok(rep.video.frames_received > 50, `${mediaPath}: video frames ${rep.video.frames_received}`);
      // The server counts the datagrams on its stream connections as packets too.
      assert.ok(rep.server.packets_out > 0, `${mediaPath}: server packets out`);
    }
    // Per path, the shard counted stream connections of its kind.
    const metrics = await (await fetch(`${relay.url}/metrics`)).text();
    const accepted = (kind) => metrics.split('\n').filter((l) => l.startsWith('sfu_shard_stream_connections_total') &&
      l.includes(`kind="${kind}"`) && l.includes('outcome="accepted"')).reduce((n, l) => n + Number(l.split(' ').pop()), 0);
    assert.strictEqual(accepted('ice_tcp'), 3);
    assert.strictEqual(accepted('turn'), 6);
  } finally {
    await relay.stop();
  }
  // Without credentials in JOIN_ACK (--turn-policy auto) a TURN path fails the join, saying why.
  const json = path.join(dir, 'path-no-turn.json');
  const r = await run(['--endpoint', server.url, '--meetings', '1', '--attendees', '2', '--talkers', '1',
    '--duration', '3', '--quiet', '--media-path', 'turn-tls', '--json', json]);
  assert.strictEqual(r.code, 1);
  const reasons = Object.keys(JSON.parse(fs.readFileSync(json, 'utf8')).joins.failed_by_reason).join(' ');
  assert.match(reasons, /--turn-policy always/);
});

test('flags: --help works and a bad flag is refused', async () => {
  const help = await run(['--help'], 10000);
  assert.strictEqual(help.code, 0);
  for (const flag of ['--endpoint', '--api-key', '--meeting-id', '--meetings', '--attendees', '--talkers', '--video-senders',
    '--simulcast', '--duration', '--join-rate', '--churn', '--loss', '--delay', '--jitter', '--mute-toggle', '--data-rate',
    '--downlink-limit', '--downlink-limit-from', '--downlink-limit-until', '--limited-attendees', '--delay-from', '--delay-until',
    '--json', '--report', '--media-path', '--slo', '--target', '--server-pid', '--trace']) {
    assert.ok(help.stdout.includes(flag), `--help documents ${flag}`);
  }
  const bad = await run(['--no-such-flag'], 10000);
  assert.strictEqual(bad.code, 2);
  assert.match(bad.stderr, /no-such-flag/);
  const badPath = await run(['--endpoint', server.url, '--media-path', 'quic'], 10000);
  assert.strictEqual(badPath.code, 2);
  assert.match(badPath.stderr, /--media-path/);
  const senders = await run(['--endpoint', server.url, '--attendees', '2', '--video-senders', '3'], 10000);
  assert.strictEqual(senders.code, 2);
  assert.match(senders.stderr, /--video-senders/);
});
