// The "only TLS" network: unmodified amazon-chime-sdk-js in real Chromium reaches sfu-server's
// media through the embedded TURN server, over TLS. The file runs itself inside a network
// namespace of its own (netns.js, mode 'all-but-tcp-port') whose nftables ruleset drops all UDP
// and every TCP port but two: 443, where sfu-server serves HTTPS and the signaling WebSocket (wss)
// with a test certificate, and 5349, its (one shard's) TURN port, TLS and plain TCP told apart by
// the first byte. The UDP media port and the ICE-TCP port (the same number) are dropped. The app's
// page comes from another HTTPS server on port 443, at 127.0.0.2 (a loopback origin, as a page
// from a real socket must be: a page Playwright answers itself has no address, and Chromium then
// gathers no loopback host candidate for it, so ICE gathering never completes, which the SDK's
// direct attempt waits for).
//
// Chromium and the self-signed certificate: Chromium verifies a turns: server's certificate like
// an HTTPS one (net::SSLClientSocket in the network service). A self-signed one fails with
// ERR_CERT_AUTHORITY_INVALID, the page gets an icecandidateerror 701 "Failed to establish
// connection" for the turns: URI, and no TLS relay candidate is gathered (the plain turn: URI of
// the same JOIN_ACK still works). So the browsers here trust exactly the test certificate's key
// with --ignore-certificate-errors-spki-list=<base64 SHA-256 of its SubjectPublicKeyInfo> (honoured
// because Playwright gives Chromium a --user-data-dir); that one flag covers the page, the wss
// connection and TURN over TLS, and no other certificate is trusted.
//
// 1. --turn-policy always: every JOIN_ACK carries the embedded server's turns: and turn: URIs and
//    the SDK relays everything (iceTransportPolicy 'relay'). Three clients (tones 440, 700,
//    1100 Hz, the first with its camera) each hear the two others and not themselves, and the
//    camera decodes on the other two. getStats(): each selected pair's local candidate is a relay
//    candidate from our TURN port to the server's UDP host candidate, TLS relay candidates were
//    gathered (the certificate was accepted) and no TURN URI failed. Chromium selects the plain
//    TCP relay when it has both: its candidate type preference ranks relay over TCP above relay
//    over TLS, and both pass this firewall (one port).
// 2. The same with an app that keeps only the turns: URIs (the SDK's urlRewriterMulti): the
//    selected relay candidate's relayProtocol is tls, and the tones pass again. This is the proof
//    that media runs over TLS.
// 3. --turn-policy auto (the default): the clients join with no TURN credentials, their direct
//    attempt (UDP and ICE-TCP, both dropped) never connects, the SDK reconnects by itself, the
//    server sees that the first attempt ran ≥5 s without media ("media never connected") and
//    offers TURN on the next JOIN ("TURN offered"); media then flows through the relay with no app
//    action. The time from join to the first audio is measured and printed.
//
// SFU_TEST_PAGE_LOG=1 prints the pages' console (the SDK logs warnings and errors).
'use strict';
const netns = require('./netns');

const HTTPS_PORT = 443;
const TURN_PORT = 5349;
const WEB_HOST = '127.0.0.2';  // the app's own web server, also on port 443
if (netns.runInNetns(__filename, { block: 'all-but-tcp-port', allowTcpPorts: [HTTPS_PORT, TURN_PORT] })) return;

const { test, before, after } = require('node:test');
const assert = require('node:assert');
const crypto = require('node:crypto');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startServer, launchChromium } = require('./harness');
const { buildBundle, servePage } = require('./chime_bundle');
const media = require('./chime_media');

const FREQS = [440, 700, 1100];
let dir;
let cert;
let key;
let spki;
let bundle;
let web;
let server;
const browsers = [];
let contexts = [];
let pages = [];

// The ports of the server's announcement line: "announcing 127.0.0.1 (udp port U; ice-tcp port
// T; turn tcp+tls port P, turn policy ...)".
function announced(srv) {
  const line = srv.output().split('\n').find((l) => l.includes('msg="announcing '));
  const port = (what) => { const m = line && line.match(new RegExp(`${what} ports? (\\d+)`)); return m ? Number(m[1]) : null; };
  return { line, udp: port('udp'), iceTcp: port('ice-tcp'), turn: port('turn tcp\\+tls') };
}

async function start(policy) {
  await stop();
  server = await startServer(['--tls-cert', cert, '--tls-key', key, '--shards', '1', '--turn-port', String(TURN_PORT),
    '--turn-policy', policy, '--log-level', 'info'], { tls: true, port: HTTPS_PORT });
  const a = announced(server);
  assert.strictEqual(a.turn, TURN_PORT, `TURN on the port the firewall lets through: ${a.line}`);
  assert.ok(a.udp && a.iceTcp && ![HTTPS_PORT, TURN_PORT].includes(a.iceTcp), `media ports are dropped here: ${a.line}`);
  console.log(`[turn_tls] ${a.line.replace(/.*msg="/, '').replace(/"$/, '')}`);
  return a;
}

async function stop() {
  if (!server) return;
  const s = server;
  server = null;
  await s.stop();  // shows the log with SFU_TEST_SHOW_SERVER_LOG
  return s.proc.exitCode;
}

// A fresh context and page in each browser, its TURN candidate errors recorded.
async function openPages() {
  await closePages();
  for (let i = 0; i < browsers.length; i += 1) {
    const ctx = await browsers[i].newContext();
    await ctx.addInitScript(media.recordIceCandidateErrors);
    const p = await ctx.newPage();
    p.on('pageerror', (e) => process.stderr.write(`[pageerror ${FREQS[i]}] ${e.message}\n`));
    if (process.env.SFU_TEST_PAGE_LOG) p.on('console', (m) => process.stderr.write(`[page ${FREQS[i]}] ${m.text()}\n`));
    await p.goto(web.url);
    await media.installSpectrum(p);
    contexts.push(ctx);
    pages.push(p);
  }
}

async function closePages() {
  for (const p of pages) await p.evaluate(() => window.session && window.session.audioVideo.stop()).catch(() => {});
  for (const c of contexts) await c.close().catch(() => {});
  contexts = [];
  pages = [];
}

async function createMeeting(name) {
  const created = await media.api(server, 'POST', '/meetings?operation=create-attendees', {
    ExternalMeetingId: name, Attendees: FREQS.map((f) => ({ ExternalUserId: `${name}-${f}` })),
  });
  assert.strictEqual(created.status, 200, JSON.stringify(created.json));
  assert.match(created.json.Meeting.MediaPlacement.SignalingUrl, new RegExp(`^wss://127\\.0\\.0\\.1:${HTTPS_PORT}/`));
  return created.json;
}

function join(created, options = {}) {
  return Promise.all(pages.map((p, i) => p.evaluate(media.joinMeeting, {
    meeting: { Meeting: created.Meeting }, attendee: { Attendee: created.Attendees[i] }, rawMic: true, ...options,
    camera: !!options.camera && i === 0,
  })));
}

// Each page's selected pair is a relay candidate of our TURN port to the server's UDP host
// candidate, and media flows on it; no TURN URI failed. Returns the pages' iceStats().
async function assertRelayed(ports) {
  const all = [];
  for (let i = 0; i < pages.length; i += 1) {
    const what = `browser ${FREQS[i]} Hz`;
    const s = await pages[i].evaluate(media.iceStats);
    assert.ok(s && s.selected, `${what}: a selected candidate pair: ${JSON.stringify(s)}`);
    const { local, remote } = s.selected;
    assert.strictEqual(s.selected.state, 'succeeded', `${what}: ${JSON.stringify(s.selected)}`);
    assert.strictEqual(local.candidateType, 'relay', `${what}: local candidate ${JSON.stringify(local)}`);
    assert.match(local.url, new RegExp(`^turns?:127\\.0\\.0\\.1:${TURN_PORT}\\?transport=tcp$`), `${what}: ${JSON.stringify(local)}`);
    assert.deepStrictEqual([remote.candidateType, remote.protocol, remote.address, remote.port], ['host', 'udp', '127.0.0.1', ports.udp],
      `${what}: the relay's peer is the server's UDP host candidate: ${JSON.stringify(remote)}`);
    assert.ok(s.selected.bytesReceived > 10000 && s.selected.bytesSent > 10000, `${what}: media on the pair ${JSON.stringify(s.selected)}`);
    assert.ok(s.locals.every((c) => c.candidateType === 'relay'), `${what}: relay candidates only: ${JSON.stringify(s.locals)}`);
    const errors = await pages[i].evaluate(() => window.iceCandidateErrors);
    assert.deepStrictEqual(errors, [], `${what}: icecandidateerror events`);
    console.log(`${what}: selected local relay ${local.relayProtocol} (${local.url}) -> ${remote.protocol} ${remote.address}:${remote.port}; ` +
      `local candidates: ${s.locals.map((c) => `${c.candidateType}/${c.relayProtocol}`).join(', ')}`);
    all.push(s);
  }
  return all;
}

async function turnEvents() {
  const out = {};
  for (const e of ['allocation', 'auth_failure', 'peer_refused', 'bad_request', 'relayed_to_server', 'relayed_to_client', 'no_permission']) {
    out[e] = await media.metricSum(server, 'sfu_shard_turn_events_total', { event: e });
  }
  out.udpIn = await media.metricSum(server, 'sfu_shard_packets_total', { direction: 'in' });
  out.iceTcpAccepted = await media.metricSum(server, 'sfu_shard_stream_connections_total', { kind: 'ice_tcp', outcome: 'accepted' });
  out.turnAccepted = await media.metricSum(server, 'sfu_shard_stream_connections_total', { kind: 'turn', outcome: 'accepted' });
  return out;
}

before(async () => {
  const probe = await netns.assertRulesInForce();
  console.log(`[turn_tls] namespace ${netns.current().name}: ${JSON.stringify(probe)}`);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sfu-turntls-'));
  cert = path.join(dir, 'cert.pem');
  key = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key,
    '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,IP:127.0.0.2'], { stdio: 'ignore' });
  spki = crypto.createHash('sha256')
    .update(new crypto.X509Certificate(fs.readFileSync(cert)).publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
  bundle = await buildBundle();
  web = await servePage(bundle, { host: WEB_HOST, port: HTTPS_PORT, tls: { cert: fs.readFileSync(cert), key: fs.readFileSync(key) } });
  for (const f of FREQS) {
    const wav = path.join(dir, `tone${f}.wav`);
    media.writeToneWav(wav, f);
    browsers.push(await launchChromium([`--use-file-for-fake-audio-capture=${wav}`, `--ignore-certificate-errors-spki-list=${spki}`]));
  }
}, { timeout: 60000 });

after(async () => {
  await closePages();
  for (const b of browsers) await b.close().catch(() => {});
  if (web) await web.close();
  await stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  if (bundle) fs.rmSync(path.dirname(bundle), { recursive: true, force: true });
});

test('--turn-policy always: three clients relay through the embedded TURN server; each hears the two others and not itself; the camera decodes; every selected pair is a relay', { timeout: 60000 }, async () => {
  const ports = await start('always');
  await openPages();
  const created = await createMeeting('turn-always');
  const t0 = Date.now();
  await join(created, { camera: true });
  for (const p of pages) await media.waitFor(p, () => window.ev.started, 'audioVideoDidStart');
  await media.waitForMixedAudio(pages);
  console.log(`[turn_tls] always: audio on all three ${Date.now() - t0} ms after join`);
  await new Promise((r) => setTimeout(r, 1500));
  await media.assertEachHearsTheOthers(pages, FREQS);
  const camera = created.Attendees[0].AttendeeId;
  for (let i = 1; i < pages.length; i += 1) {
    const t = await media.assertTileDecodes(pages[i], camera, { what: `browser ${FREQS[i]} Hz` });
    console.log(`browser ${FREQS[i]} Hz: camera of ${FREQS[0]} Hz ${t.width}x${t.height}, ${t.frames} frames`);
  }
  // assertRelayed: no icecandidateerror, so the turns: URI did not fail on our certificate.
  // (getStats may list only the relay candidate that won: one that lost is not always reported.)
  const stats = await assertRelayed(ports);
  for (const s of stats) assert.ok(['tcp', 'tls'].includes(s.selected.local.relayProtocol), JSON.stringify(s.selected.local));
  const ev = await turnEvents();
  console.log(`[turn_tls] always: ${JSON.stringify(ev)}`);
  assert.ok(ev.allocation >= 2 * pages.length, `a TLS and a TCP allocation per client: ${ev.allocation}`);
  assert.ok(ev.relayed_to_server > 500 && ev.relayed_to_client > 500, JSON.stringify(ev));
  assert.strictEqual(ev.auth_failure, 0);
  assert.strictEqual(ev.peer_refused, 0);
  assert.strictEqual(ev.iceTcpAccepted, 0, 'the ICE-TCP port is dropped: no connection reached it');
  assert.strictEqual(ev.udpIn, 0, 'no UDP datagram reached the server');
  await closePages();
});

test('--turn-policy always, the app keeping only the turns: URIs: the selected relay runs over TLS; the tones pass', { timeout: 60000 }, async () => {
  const ports = announced(server);
  await openPages();
  const was = await turnEvents();
  const created = await createMeeting('turn-tls-only');
  await join(created, { turnSchemes: ['turns'] });
  for (const p of pages) await media.waitFor(p, () => window.ev.started, 'audioVideoDidStart');
  await media.waitForMixedAudio(pages);
  await new Promise((r) => setTimeout(r, 1500));
  await media.assertEachHearsTheOthers(pages, FREQS);
  const stats = await assertRelayed(ports);
  for (const s of stats) {
    assert.strictEqual(s.selected.local.relayProtocol, 'tls', `selected: ${JSON.stringify(s.selected.local)}`);
    assert.ok(s.selected.local.url.startsWith(`turns:127.0.0.1:${TURN_PORT}`), JSON.stringify(s.selected.local));
    assert.ok(s.locals.every((c) => c.relayProtocol === 'tls'), `TLS relay candidates only: ${JSON.stringify(s.locals)}`);
  }
  const ev = await turnEvents();
  console.log(`[turn_tls] tls only: ${JSON.stringify(ev)}`);
  assert.strictEqual(ev.allocation - was.allocation, pages.length, 'one (TLS) allocation per client');
  assert.ok(ev.relayed_to_server - was.relayed_to_server > 300, JSON.stringify(ev));
  assert.strictEqual(ev.auth_failure, 0);
  assert.strictEqual(ev.udpIn, 0, 'no UDP datagram reached the server');
  await closePages();
  assert.strictEqual(await stop(), 0, 'the server stopped cleanly');
});

test('--turn-policy auto: the direct attempt fails, the SDK retries by itself and gets TURN; the tones pass over the relay', { timeout: 90000 }, async () => {
  const ports = await start('auto');
  await openPages();
  const created = await createMeeting('turn-auto');
  const dropsAtJoin = netns.droppedPackets();
  const t0 = Date.now();
  await join(created);
  // The first audio on each page: inbound audio bytes on its peer connection.
  const firstAudio = await Promise.all(pages.map(async (p) => {
    for (;;) {
      if (await media.audioBytes(p) > 0) return Date.now() - t0;
      if (Date.now() - t0 > 60000) return null;
      await new Promise((r) => setTimeout(r, 100));
    }
  }));
  console.log(`[turn_tls] auto: first audio ${firstAudio.map((ms, i) => `${FREQS[i]} Hz ${ms} ms`).join(', ')} after join; ` +
    `time to first audio (slowest client) ${(Math.max(...firstAudio) / 1000).toFixed(1)} s`);
  assert.ok(firstAudio.every((ms) => ms !== null), 'every client got audio within 60 s');
  await media.waitForMixedAudio(pages);
  await new Promise((r) => setTimeout(r, 1500));
  await media.assertEachHearsTheOthers(pages, FREQS);
  await assertRelayed(ports);

  // The server's account: for each attendee, a first join, "media never connected", a second
  // join (the SDK's own retry: its first start never finished, so it reports no reconnect to
  // the app), "TURN offered", then "media connected" over a stream link.
  const log = server.output().split('\n');
  for (const a of created.Attendees) {
    const mine = (msg) => log.map((l, i) => (l.includes(`msg="${msg}`) && l.includes(`attendee=${a.AttendeeId}`) ? i : -1)).filter((i) => i >= 0);
    const at = (msg) => (mine(msg).length ? mine(msg)[0] : -1);
    const joins = mine('attendee joined');
    const never = at('media never connected: TURN on the next join');
    assert.ok(joins.length >= 2 && joins[0] < never && joins[1] > never, `${a.ExternalUserId}: joined, failed, joined again: joins at lines ${joins}, failure at ${never}`);
    const offered = at('TURN offered');
    const connected = at('media connected');
    assert.ok(never >= 0 && offered > never && connected > offered,
      `${a.ExternalUserId}: never connected (line ${never}), then TURN offered (${offered}), then media connected (${connected}):\n` +
      log.filter((l) => l.includes(a.AttendeeId)).join('\n'));
    assert.match(log[connected], /path=stream/);
  }
  const ev = await turnEvents();
  console.log(`[turn_tls] auto: ${JSON.stringify(ev)}`);
  assert.ok(ev.allocation >= pages.length, JSON.stringify(ev));
  assert.ok(ev.relayed_to_server > 300 && ev.relayed_to_client > 300, JSON.stringify(ev));
  assert.strictEqual(ev.iceTcpAccepted, 0, 'the ICE-TCP port is dropped');
  assert.strictEqual(ev.udpIn, 0, 'no UDP datagram reached the server');
  // The direct attempts were made and dropped: ICE checks to the UDP port, SYNs to the ICE-TCP port.
  const dropped = netns.droppedPackets() - dropsAtJoin;
  console.log(`[turn_tls] auto: packets the namespace dropped since the join: ${dropped}`);
  assert.ok(dropped >= pages.length, `the direct attempts were dropped: ${dropped} packets`);
});
