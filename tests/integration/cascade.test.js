// Replica meetings across nodes: the node-to-node cascade (docs/DESIGN.md, "Replica meetings",
// phase 2; docs/SCALING.md, "(a) 10,000 viewers of one primary meeting, with replicas"). Debian's
// redis-server started by this test on a free loopback port with a temp dir, and two sfu-server
// nodes A and B sharing it in cluster mode (the arguments of cluster.test.js), both with
// --replica-placement spread: a replica meeting goes to another node than its primary's whenever
// another node takes meetings. Everything on 127.0.0.1.
//
// 1. With the real @aws-sdk/client-chime-sdk-meetings, a primary meeting created through node A
//    lands on one node, "P" (A, or B if placement prefers it; the test names them by role), and a
//    replica of it created through P's own API is placed on the other node, "R": each
//    MediaPlacement (SignalingUrl, AudioHostUrl) names its node.
// 2. Unmodified amazon-chime-sdk-js in real Chromium, one process per attendee, each fake
//    microphone playing its own sine (as replica.test.js): a talker at 440 Hz with its camera on
//    joins the primary on P; a viewer at 700 Hz joins the replica on R and turns its camera on.
//    Through the cascade link P -> R the viewer hears 440 Hz, decodes the talker's camera tile and
//    lists the talker in its roster (presence mirrored from P to R); the talker hears no 700 Hz
//    and shows no tile of the viewer, whose camera is refused (SUBSCRIBE_ACK 206: the SDK reports
//    videoSendDidBecomeUnavailable).
// 3. A data message the talker sends reaches the viewer on R (relayed through R's inbox); the
//    viewer's own goes nowhere.
// 4. /metrics of both nodes: P counts audio and video packets sent on the link
//    (sfu_cascade_packets_total{direction="send"}), R counts them received. The link's CPU per
//    relayed packet (sfu_cascade_cpu_seconds_total over those packets) is logged, never asserted.
// 5. The primary deleted through R's API ends it on P and ends the replica: MeetingEnded on both
//    clients, GetMeeting of the replica 404 (NotFoundException) through both nodes.
//
// Margins as replica.test.js: heard = 20 dB over the page's noise floor; absent = under -60 dBFS
// and within 10 dB of an unplayed control frequency (760 Hz), or digital silence (the talker is
// alone in the primary: its mix-minus is silent).
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startServer, launchChromium, freePort, requireWeb, startRedis, waitUntil, meetingsClient: client } = require('./harness');
const { buildBundle, servePage } = require('./chime_bundle');
const media = require('./chime_media');

const sdk = requireWeb('@aws-sdk/client-chime-sdk-meetings');
const FREQS = [440, 700];  // talker (primary, camera on), viewer (replica, camera refused)
// Nobody plays it: what a page "hears" there is the codec's noise, the yardstick for 700 Hz on
// the talker's page, which must not hear it.
const CONTROL = 760;
const MEASURED = [...FREQS, CONTROL];
const TIMEOUT_S = 3;
const TALKER = 0;
const VIEWER = 1;
let dir;
let redis;
const nodes = {};
let web;
let bundleDir;
const browsers = [];
const pages = [];
// Filled by the first test: { P, R (node names), primary, replica (Meeting), talker, viewer (Attendee) }.
let cascade;

async function startNode(name) {
  nodes[name] = await startServer(['--redis', redis.url, '--node-id', `node-${name}`,
    '--node-timeout', String(TIMEOUT_S), '--shards', '1', '--api-rate', '50', '--api-burst', '150',
    '--replica-placement', 'spread']);
  return nodes[name];
}

// A node's UDP media port (--media-port 0 picks one at start; one shard), from its start line
// (logged at info, the harness's default level); null if that line is not in its output.
function mediaPort(name) {
  const m = nodes[name].output().match(/msg="server started"[^\n]* media_ports=(\d+)/);
  return m ? Number(m[1]) : null;
}

// The node a MediaPlacement names: SignalingUrl on that node's HTTP port, AudioHostUrl on its
// media port.
function nodeOf(meeting) {
  const mp = meeting.MediaPlacement;
  for (const [name, n] of Object.entries(nodes)) {
    if (!mp.SignalingUrl.startsWith(`ws://127.0.0.1:${n.port}/`)) continue;
    const port = mediaPort(name);
    if (port) assert.strictEqual(mp.AudioHostUrl, `127.0.0.1:${port}`, `AudioHostUrl is node ${name}'s media port: ${JSON.stringify(mp)}`);
    return name;
  }
  return `unknown (${mp.SignalingUrl})`;
}

// The sfu_cascade_* series of a node's /metrics: [{ name, labels, value, line }], labels in any
// order (an optional timestamp after the value is ignored).
async function cascadeSeries(node) {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  const series = [];
  for (const line of text.split('\n')) {
    const m = line.match(/^(sfu_cascade_\w+)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?\s*$/);
    if (!m) continue;
    const labels = Object.fromEntries([...(m[2] || '').matchAll(/(\w+)\s*=\s*"((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    series.push({ name: m[1], labels, value: Number(m[3]), line });
  }
  return series;
}

// Sum of the series of `name` whose labels include all of `labels`.
function total(series, name, labels = {}) {
  return series.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

async function spectra(ms) {
  return Promise.all(pages.map((p) => p.evaluate(
    ([freqs, t]) => window.spectrumOf(document.getElementById('audio').srcObject, freqs, t), [MEASURED, ms])));
}
const heard = (r, k) => r.levels[k] - r.floor >= 20;
// Absent: under -60 dBFS (a heard tone is about -25 here) and no stronger than the unplayed
// control frequency plus 10 dB; or nothing at all (-Infinity): alone in the primary, the talker
// gets a mix of silence, where the viewer's tone, if mixed in, would stand at a heard level.
const absent = (r, k) => r.levels[k] === -Infinity || (r.levels[k] < -60 && r.levels[k] - r.levels[FREQS.length] < 10);
const describe = (s) => s.map((r, i) => `${FREQS[i]} Hz hears ${MEASURED.map((f, k) => `${f}:${r.levels[k].toFixed(1)}`).join(' ')} floor ${r.floor.toFixed(1)} dB`).join('; ');

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sfu-cascade-'));
  redis = await startRedis({ port: await freePort(), dir });
  for (const n of ['a', 'b']) await startNode(n);
  const bundle = await buildBundle();
  bundleDir = path.dirname(bundle);
  web = await servePage(bundle);
  for (const f of FREQS) {
    const wav = path.join(dir, `tone${f}.wav`);
    media.writeToneWav(wav, f);
    const b = await launchChromium([`--use-file-for-fake-audio-capture=${wav}`]);
    browsers.push(b);
    const p = await (await b.newContext()).newPage();
    p.on('pageerror', (e) => process.stderr.write(`[pageerror ${f} Hz] ${e.message}\n`));
    await p.goto(web.url);
    await media.installSpectrum(p);
    pages.push(p);
  }
}, { timeout: 45000 });

after(async () => {
  for (const b of browsers) await b.close().catch(() => {});
  if (web) await web.close();
  for (const n of Object.values(nodes)) await n.stop();
  if (redis) await redis.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  if (bundleDir) fs.rmSync(bundleDir, { recursive: true, force: true });
});

test('a replica of a primary on one node is placed on the other node (--replica-placement spread)', { timeout: 15000 }, async () => {
  const primary = (await client(nodes.a).send(new sdk.CreateMeetingCommand({
    ClientRequestToken: 'cascade-primary', MediaRegion: 'us-east-1', ExternalMeetingId: 'cascade-primary',
  }))).Meeting;
  const P = nodeOf(primary);
  assert.ok(P in nodes, `the primary is placed on node A or B: ${JSON.stringify(primary.MediaPlacement)}`);
  const R = P === 'a' ? 'b' : 'a';
  console.log(`[cascade] primary created through node a, placed on node ${P} (P); the other node is ${R} (R)`);
  // Through the primary's own node: its API must still place the replica elsewhere.
  const replica = (await client(nodes[P]).send(new sdk.CreateMeetingCommand({
    ClientRequestToken: 'cascade-replica', MediaRegion: 'us-east-1', ExternalMeetingId: 'cascade-replica',
    PrimaryMeetingId: primary.MeetingId,
  }))).Meeting;
  assert.strictEqual(replica.PrimaryMeetingId, primary.MeetingId);
  assert.strictEqual(nodeOf(replica), R, `the replica is placed on the other node ${R}, not on its primary's node ${P}`);
  assert.notStrictEqual(replica.MediaPlacement.AudioHostUrl, primary.MediaPlacement.AudioHostUrl, 'the replica\'s media on another host');
  // Every node answers for both, naming the same placements.
  for (const n of ['a', 'b']) {
    assert.strictEqual(nodeOf((await client(nodes[n]).send(new sdk.GetMeetingCommand({ MeetingId: primary.MeetingId }))).Meeting), P);
    assert.strictEqual(nodeOf((await client(nodes[n]).send(new sdk.GetMeetingCommand({ MeetingId: replica.MeetingId }))).Meeting), R);
  }
  // Join tokens issued by the node that does not host the meeting (any node verifies them).
  const talker = (await client(nodes[R]).send(new sdk.CreateAttendeeCommand({ MeetingId: primary.MeetingId, ExternalUserId: 'talker' }))).Attendee;
  const viewer = (await client(nodes[P]).send(new sdk.CreateAttendeeCommand({ MeetingId: replica.MeetingId, ExternalUserId: 'viewer' }))).Attendee;
  assert.ok(talker.JoinToken && viewer.JoinToken);
  cascade = { P, R, primary, replica, talker, viewer };
});

test('the viewer on R hears and sees the talker on P and lists it; the talker hears and sees nothing of the viewer', { timeout: 45000 }, async () => {
  assert.ok(cascade, 'the meetings of the first test');
  const { P, R, primary, replica, talker, viewer } = cascade;
  const t0 = Date.now();
  await Promise.all([
    pages[TALKER].evaluate(media.joinMeeting, { meeting: { Meeting: primary }, attendee: { Attendee: talker }, rawMic: true, camera: true }),
    pages[VIEWER].evaluate(media.joinMeeting, { meeting: { Meeting: replica }, attendee: { Attendee: viewer }, rawMic: true, camera: true }),
  ]);
  for (const p of pages) await media.waitFor(p, () => window.ev.started, 'audioVideoDidStart');
  await media.waitForMixedAudio([pages[VIEWER]]);
  console.log(`[cascade] the viewer on node ${R} receives audio ${Date.now() - t0} ms after the joins (primary on node ${P})`);
  assert.strictEqual(await media.metricSum(nodes[P], 'sfu_connected_attendees'), 1, `node ${P} holds the talker's session`);
  assert.strictEqual(await media.metricSum(nodes[R], 'sfu_connected_attendees'), 1, `node ${R} holds the viewer's session`);
  await new Promise((r) => setTimeout(r, 1500));  // the talker's audio in the mix
  // The talker's downlink carries its (silent) mix: what it must not hear would arrive there.
  const bytes = await media.audioBytes(pages[TALKER]);
  await waitUntil(async () => await media.audioBytes(pages[TALKER]) > bytes, 'audio packets arriving at the talker', 5000);

  // Audio: the viewer hears the primary's mix; the talker does not hear the viewer.
  const s = await spectra(3000);
  console.log(`[cascade] ${describe(s)}`);
  assert.ok(heard(s[VIEWER], 0), `the viewer on ${R} hears the talker's 440 Hz from ${P}: ${describe(s)}`);
  assert.ok(absent(s[VIEWER], 1), `the viewer does not hear itself: ${describe(s)}`);
  assert.ok(absent(s[TALKER], 1), `the talker does not hear the viewer's 700 Hz: ${describe(s)}`);

  // Video: the viewer decodes the talker's camera; its own camera is refused (206).
  const tile = await media.assertTileDecodes(pages[VIEWER], talker.AttendeeId, { what: `viewer on node ${R}` });
  console.log(`[cascade] the viewer decodes the talker's camera: ${tile.width}x${tile.height}, ${tile.frames} frames`);
  await media.waitFor(pages[VIEWER], () => window.ev.videoSendUnavailable === true, 'the viewer told it cannot send video (206)', 10000);
  const tiles = await pages[TALKER].evaluate(media.tileStates);
  assert.ok(!tiles.some((t) => t.attendee.startsWith(viewer.AttendeeId)), `the talker shows no tile of the viewer: ${JSON.stringify(tiles)}`);

  // Roster: presence mirrored from P to R; the primary does not list the viewer.
  await media.waitFor(pages[VIEWER], (id) => window.ev.present[id] === true, 'the talker in the viewer\'s roster', 10000, talker.AttendeeId);
  const present = await pages[TALKER].evaluate(() => window.ev.present);
  assert.ok(!(viewer.AttendeeId in present), `the talker does not list the viewer: ${JSON.stringify(present)}`);
});

test('a data message of the primary reaches the viewer on the other node; the viewer\'s goes nowhere', { timeout: 20000 }, async () => {
  assert.ok(cascade, 'the meetings of the first test');
  const { talker } = cascade;
  const listen = () => {
    window.chat = [];
    window.session.audioVideo.realtimeSubscribeToReceiveDataMessage('chat', (m) => {
      window.chat.push({ from: m.senderAttendeeId, text: m.text(), throttled: m.throttled });
    });
  };
  await pages[VIEWER].evaluate(listen);
  await pages[TALKER].evaluate(listen);
  await pages[TALKER].evaluate(() => window.session.audioVideo.realtimeSendDataMessage('chat', 'hello from the primary'));
  await pages[VIEWER].evaluate(() => window.session.audioVideo.realtimeSendDataMessage('chat', 'hello from a replica'));
  await media.waitFor(pages[VIEWER], () => window.chat.some((m) => m.text === 'hello from the primary'),
    'the primary\'s data message relayed to the viewer', 10000);
  const got = await pages[VIEWER].evaluate(() => window.chat);
  assert.strictEqual(got.find((m) => m.text === 'hello from the primary').from, talker.AttendeeId);
  await new Promise((r) => setTimeout(r, 1000));
  const talkerGot = await pages[TALKER].evaluate(() => window.chat);
  assert.ok(!talkerGot.some((m) => m.text === 'hello from a replica'), `the talker gets nothing from the viewer: ${JSON.stringify(talkerGot)}`);
});

test('/metrics: P sends audio and video on the cascade link, R receives them; CPU per relayed packet logged', { timeout: 15000 }, async () => {
  assert.ok(cascade, 'the meetings of the first test');
  const { P, R } = cascade;
  const kinds = ['audio', 'video', 'retransmit', 'rtcp'];
  const side = { [P]: 'send', [R]: 'receive' };
  const scraped = {};
  // Counters are read at the scrape; allow a few seconds for the link's first video to count
  // (past that, the assertions below say what is missing).
  await waitUntil(async () => {
    for (const n of [P, R]) scraped[n] = await cascadeSeries(nodes[n]);
    return ['audio', 'video'].every((kind) => [P, R].every((n) =>
      total(scraped[n], 'sfu_cascade_packets_total', { direction: side[n], kind }) > 0));
  }, 'cascade packet counters', 5000).catch(() => {});
  for (const n of [P, R]) {
    const series = scraped[n];
    console.log(`[cascade] node ${n} (${n === P ? 'P' : 'R'}) /metrics:\n${series.map((x) => `  ${x.line}`).join('\n') || '  (no sfu_cascade_* series)'}`);
    const direction = side[n];
    const packets = total(series, 'sfu_cascade_packets_total', { direction });
    const cpu = total(series, 'sfu_cascade_cpu_seconds_total', { direction });
    const byKind = kinds.map((k) => `${k} ${total(series, 'sfu_cascade_packets_total', { direction, kind: k })}`).join(', ');
    console.log(`[cascade] node ${n} ${direction}: links ${total(series, 'sfu_cascade_links', { direction })}, packets ${packets} (${byKind}), ` +
      `cpu ${cpu.toFixed(6)} s: ${packets > 0 ? `${(cpu * 1e6 / packets).toFixed(2)} µs per relayed packet` : 'n/a'}`);
  }
  for (const kind of ['audio', 'video']) {
    assert.ok(total(scraped[P], 'sfu_cascade_packets_total', { direction: 'send', kind }) > 0,
      `node ${P} (P) counts ${kind} packets sent on the cascade: ${scraped[P].map((x) => x.line).join(' | ')}`);
    assert.ok(total(scraped[R], 'sfu_cascade_packets_total', { direction: 'receive', kind }) > 0,
      `node ${R} (R) counts ${kind} packets received from the cascade: ${scraped[R].map((x) => x.line).join(' | ')}`);
  }
});

test('the primary deleted through R\'s API ends the replica: MeetingEnded on the viewer, GetMeeting 404 on both nodes, no link left', { timeout: 20000 }, async () => {
  assert.ok(cascade, 'the meetings of the first test');
  const { R, primary, replica } = cascade;
  await client(nodes[R]).send(new sdk.DeleteMeetingCommand({ MeetingId: primary.MeetingId }));
  const t0 = Date.now();
  await media.waitFor(pages[VIEWER], () => window.ev.stopped === 'MeetingEnded', 'the viewer\'s client told the meeting ended', 10000);
  console.log(`[cascade] the viewer's session ended ${Date.now() - t0} ms after the primary's DeleteMeeting`);
  await media.waitFor(pages[TALKER], () => window.ev.stopped === 'MeetingEnded', 'the talker\'s client told the meeting ended', 10000);
  await waitUntil(async () => (await fetch(`${nodes[R].url}/meetings/${replica.MeetingId}`)).status === 404,
    'GetMeeting of the replica answers 404', 5000);
  for (const n of ['a', 'b']) {
    await assert.rejects(client(nodes[n]).send(new sdk.GetMeetingCommand({ MeetingId: replica.MeetingId })),
      (e) => e.name === 'NotFoundException' && e.$metadata.httpStatusCode === 404, `GetMeeting of the replica through node ${n}`);
  }
  // Both ends of the link go with the meetings (the sender with its primary, the receiver with
  // the last replica of that primary on its node).
  for (const n of ['a', 'b']) {
    await waitUntil(async () => await media.metricSum(nodes[n], 'sfu_cascade_links') === 0,
      `node ${n}: no cascade link left`, 5000);
  }
});
