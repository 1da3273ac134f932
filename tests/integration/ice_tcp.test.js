// ICE-TCP (RFC 6544 passive host candidate, RFC 4571 framing) with unmodified amazon-chime-sdk-js
// in real Chromium, on a network where UDP does not get through: the file runs itself inside a
// network namespace of its own whose nftables ruleset drops every UDP packet (netns.js, mode
// 'udp'), with sfu-server, the page server and three Chromium processes on its loopback.
//
// Three attendees, each a Chromium whose fake microphone plays its own tone (440, 700, 1100 Hz),
// the first also with its fake camera on, join one meeting. They must connect although every
// UDP check to the server's UDP host candidate vanishes, which leaves the tcptype passive
// candidate of the SDP answer: each hears the two others and not itself, and the other two
// decode the camera. Then, in each page, getStats() on the SDK's RTCPeerConnection: the selected
// candidate pair is TCP (local tcptype active, remote host tcptype passive, to 127.0.0.1) and the
// UDP pairs got no answer. Past the 30 s consent timeout (RFC 7675) the same TCP pairs still
// carry media with no reconnect: consent checks over the TCP connection keep it. Last, the
// server's /metrics count ICE-TCP datagrams in and out and no UDP datagram in, and the
// namespace's drop rule counted the UDP that was tried.
'use strict';
const netns = require('./netns');

if (netns.runInNetns(__filename, { block: 'udp' })) return;  // the run inside reports the tests

const { test, before, after } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startServer, launchChromium } = require('./harness');
const { buildBundle, servePage } = require('./chime_bundle');
const media = require('./chime_media');

const FREQS = [440, 700, 1100];
let server;
let web;
let dir;
let bundleDir;
let dropsAtStart;
const browsers = [];
const pages = [];
let created;
let startedAt;     // when every client had started (ms)
let selected = [];  // each page's selected pair after the start

// Sum of a /metrics family's series whose labels include all of `labels` (a metric absent: 0).
async function metricSum(name, labels = {}) {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = line.match(/^(\w+)(?:\{(.*)\})? (\S+)$/);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] || '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[3]);
  }
  return sum;
}

before(async () => {
  // UDP really is dropped here (and TCP connects) before anything starts.
  const probe = await netns.assertRulesInForce();
  console.log(`[ice_tcp] namespace ${netns.current().name}: ${JSON.stringify(probe)}`);
  dropsAtStart = netns.droppedPackets();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sfu-icetcp-'));
  server = await startServer(['--log-level', process.env.SFU_TEST_LOG_LEVEL || 'warn']);
  const bundle = await buildBundle();
  bundleDir = path.dirname(bundle);
  web = await servePage(bundle);
  for (let i = 0; i < FREQS.length; i += 1) {
    const wav = path.join(dir, `tone${FREQS[i]}.wav`);
    media.writeToneWav(wav, FREQS[i]);
    const b = await launchChromium([`--use-file-for-fake-audio-capture=${wav}`]);
    browsers.push(b);
    const p = await (await b.newContext()).newPage();
    p.on('pageerror', (e) => process.stderr.write(`[pageerror ${FREQS[i]}] ${e.message}\n`));
    await p.goto(web.url);
    await media.installSpectrum(p);
    pages.push(p);
  }
}, { timeout: 60000 });

after(async () => {
  for (const b of browsers) await b.close().catch(() => {});
  if (web) await web.close();
  if (server) await server.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  if (bundleDir) fs.rmSync(bundleDir, { recursive: true, force: true });
});

test('three Chime SDK clients over ICE-TCP: each hears the two others and not itself; the camera decodes on the others', { timeout: 60000 }, async () => {
  created = await media.api(server, 'POST', '/meetings?operation=create-attendees', {
    ExternalMeetingId: 'ice-tcp',
    Attendees: FREQS.map((f) => ({ ExternalUserId: `tcp-${f}` })),
  });
  assert.strictEqual(created.status, 200, JSON.stringify(created.json));
  const t0 = Date.now();
  await Promise.all(pages.map((p, i) => p.evaluate(media.joinMeeting, {
    meeting: { Meeting: created.json.Meeting }, attendee: { Attendee: created.json.Attendees[i] }, rawMic: true, camera: i === 0,
  })));
  for (const p of pages) await media.waitFor(p, () => window.ev.started, 'audioVideoDidStart');
  startedAt = Date.now();
  console.log(`[ice_tcp] all three started ${Date.now() - t0} ms after join`);
  await media.waitForMixedAudio(pages);
  await new Promise((r) => setTimeout(r, 1500));  // everyone's audio in the mix
  await media.assertEachHearsTheOthers(pages, FREQS);
  const camera = created.json.Attendees[0].AttendeeId;
  for (let i = 1; i < pages.length; i += 1) {
    const t = await media.assertTileDecodes(pages[i], camera, { what: `browser ${FREQS[i]} Hz` });
    console.log(`browser ${FREQS[i]} Hz: camera of ${FREQS[0]} Hz ${t.width}x${t.height}, ${t.frames} frames`);
  }
});

test('getStats: each page\'s selected candidate pair is TCP, to the server\'s passive host candidate; no UDP check was answered', async () => {
  assert.ok(created, 'the meeting of the first test');
  for (let i = 0; i < pages.length; i += 1) {
    let s = await pages[i].evaluate(media.iceStats);
    // Chromium reports the selected pair "in-progress" while a consent check on it awaits its
    // answer (seen once in CI with media flowing on it): read again, for up to 5 s.
    for (let t = 0; t < 25 && s && s.selected && s.selected.state === 'in-progress'; t += 1) {
      await new Promise((r) => setTimeout(r, 200));
      s = await pages[i].evaluate(media.iceStats);
    }
    const what = `browser ${FREQS[i]} Hz`;
    assert.ok(s && s.selected, `${what}: a selected candidate pair: ${JSON.stringify(s)}`);
    console.log(`${what}: selected ${JSON.stringify(s.selected)}`);
    const { local, remote } = s.selected;
    assert.strictEqual(s.selected.state, 'succeeded', `${what}: ${JSON.stringify(s.selected)}`);
    assert.strictEqual(local.protocol, 'tcp', `${what}: local candidate ${JSON.stringify(local)}`);
    assert.strictEqual(remote.protocol, 'tcp', `${what}: remote candidate ${JSON.stringify(remote)}`);
    assert.strictEqual(remote.candidateType, 'host', `${what}: remote candidate ${JSON.stringify(remote)}`);
    assert.strictEqual(remote.address, '127.0.0.1', `${what}: remote candidate ${JSON.stringify(remote)}`);
    // Chromium reports tcpType for its own candidates; for a remote one only when it has it.
    if (local.tcpType !== undefined) assert.strictEqual(local.tcpType, 'active', `${what}: local ${JSON.stringify(local)}`);
    if (remote.tcpType !== undefined) assert.strictEqual(remote.tcpType, 'passive', `${what}: remote ${JSON.stringify(remote)}`);
    assert.ok(s.selected.bytesReceived > 10000 && s.selected.bytesSent > 10000, `${what}: media on the pair ${JSON.stringify(s.selected)}`);
    const udp = s.pairs.filter((p) => p.remote && p.remote.protocol === 'udp');
    assert.ok(udp.every((p) => !p.responsesReceived && p.state !== 'succeeded'), `${what}: a UDP pair was answered: ${JSON.stringify(udp)}`);
    selected[i] = s.selected;
    console.log(`${what}: UDP pairs ${udp.map((p) => `${p.local && p.local.address}->${p.remote.address}:${p.remote.port} ${p.state}, ${p.requestsSent} checks, ${p.responsesReceived} answers`).join('; ') || 'none'}`);
  }
});

test('past the 30 s consent timeout the same TCP pairs still carry media, with no reconnect and no consent expiry', { timeout: 45000 }, async () => {
  assert.ok(selected.length === pages.length, 'the pairs of the test before');
  const consentMs = 30000;
  const wait = startedAt + consentMs + 3000 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const checks = await metricSum('sfu_shard_ice_checks_total');
  for (let i = 0; i < pages.length; i += 1) {
    const what = `browser ${FREQS[i]} Hz`;
    const s = await pages[i].evaluate(media.iceStats);
    const was = selected[i];
    assert.ok(s && s.selected, `${what}: a selected pair: ${JSON.stringify(s)}`);
    assert.deepStrictEqual(s.selected.local, was.local, `${what}: the same local candidate (TCP connection)`);
    assert.deepStrictEqual(s.selected.remote, was.remote, `${what}: the same remote candidate`);
    assert.ok(s.selected.bytesReceived > was.bytesReceived + 50000, `${what}: media keeps arriving (${was.bytesReceived} -> ${s.selected.bytesReceived} bytes)`);
    assert.strictEqual(await pages[i].evaluate(() => window.ev.reconnects), 0, `${what}: no reconnect`);
  }
  assert.strictEqual(await metricSum('sfu_shard_ice_consent_expiries_total'), 0, 'no consent expired');
  // Chromium sends a consent check every ~5 s on each selected pair.
  assert.ok(checks >= pages.length * 6, `consent checks arrived: ${checks} ICE checks in all`);
  console.log(`[ice_tcp] ${((Date.now() - startedAt) / 1000).toFixed(1)} s after the start: same TCP pairs, ${checks} ICE checks, no consent expiry`);
});

test('/metrics: ICE-TCP carried datagrams both ways and no UDP datagram reached the server; the namespace dropped UDP', async () => {
  assert.ok(created, 'the meeting of the first test');
  const tcpIn = await metricSum('sfu_shard_stream_datagrams_total', { kind: 'ice_tcp', direction: 'in' });
  const tcpOut = await metricSum('sfu_shard_stream_datagrams_total', { kind: 'ice_tcp', direction: 'out' });
  const tcpDropped = await metricSum('sfu_shard_stream_datagrams_total', { kind: 'ice_tcp', direction: 'dropped' });
  const accepted = await metricSum('sfu_shard_stream_connections_total', { kind: 'ice_tcp', outcome: 'accepted' });
  const udpIn = await metricSum('sfu_shard_packets_total', { direction: 'in' });
  const dropped = netns.droppedPackets() - dropsAtStart;
  console.log(`[ice_tcp] ice_tcp datagrams in ${tcpIn}, out ${tcpOut}, dropped ${tcpDropped}; connections accepted ${accepted}; ` +
    `server UDP datagrams in ${udpIn}; UDP packets dropped by the namespace since the start ${dropped}`);
  assert.ok(tcpIn > 100 && tcpOut > 100, `ice_tcp datagrams in ${tcpIn}, out ${tcpOut}`);
  assert.ok(accepted >= pages.length, `at least one ICE-TCP connection per client: ${accepted}`);
  assert.strictEqual(udpIn, 0, 'no UDP datagram reached the server');
  assert.ok(dropped > 0, 'the namespace dropped the UDP that was tried');
  await netns.assertUdpBlocked();  // and still does
});
