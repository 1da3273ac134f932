// An external TURN server: Debian's coturn (`turnserver`, from scripts/setup.sh), started by this
// test on loopback as a child process with a config of its own in a temp dir (TCP and UDP
// listener on a free port, relay address 127.0.0.1, use-auth-secret with a random
// static-auth-secret, no TLS/DTLS, loopback peers allowed, no CLI, log and pid file in the temp
// dir), stopped at the end. sfu-server gets --turn-uri turn:127.0.0.1:PORT?transport=tcp
// --turn-secret <the same secret> --turn-policy always, so every JOIN_ACK carries coturn's URI
// and a TURN REST credential (username "<expiry>:<attendeeId>", password
// base64(HMAC-SHA1(secret, username))) instead of the embedded server's.
//
// 1. Two Chime SDK clients in Chromium (tones 440 and 700 Hz) relay through coturn: each hears
//    the other and not itself; getStats() shows each selected pair's local candidate is a relay
//    candidate from coturn's URI, to the server's UDP host candidate; coturn's log shows an
//    allocation for each attendee's credential; the server counted the relayed UDP (coturn relays
//    over real UDP) and its embedded TURN server allocated nothing.
// 2. Credentials: asked directly (turn_stun_client.js, TURN over TCP), coturn allocates for a
//    JOIN_ACK-like credential made with the secret, and refuses (401) one made with a wrong secret
//    and one whose expiry has passed.
// 3. A second sfu-server started with a wrong --turn-secret: its client's Allocate is refused by
//    coturn (the page's icecandidateerror 401 at coturn's URI; coturn logs the 401 for that
//    attendee) and no media connects.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert');
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startServer, launchChromium, freePort } = require('./harness');
const { buildBundle, servePage } = require('./chime_bundle');
const media = require('./chime_media');
const turn = require('./turn_stun_client');

const FREQS = [440, 700];
const REALM = 'sfu.test';
const SECRET = crypto.randomBytes(18).toString('base64');
let dir;
let coturn;
let coturnPort;
let coturnLog;
let server;
let web;
let bundleDir;
const browsers = [];
const pages = [];
let created;

// Starts turnserver in the foreground with a config in dir; resolves once it listens on TCP.
async function startCoturn() {
  coturnPort = await freePort();
  coturnLog = path.join(dir, 'turn.log');
  const conf = path.join(dir, 'turnserver.conf');
  fs.writeFileSync(conf, [
    'listening-ip=127.0.0.1', 'relay-ip=127.0.0.1', `listening-port=${coturnPort}`,
    'use-auth-secret', `static-auth-secret=${SECRET}`, `realm=${REALM}`,
    'no-tls', 'no-dtls', 'allow-loopback-peers', 'no-multicast-peers', 'no-cli', 'fingerprint',
    `log-file=${coturnLog}`, 'simple-log', 'verbose', `pidfile=${path.join(dir, 'turn.pid')}`,
    // Nothing from /var/lib/turn or /etc: this instance is the test's alone.
    `userdb=${path.join(dir, 'turndb')}`, '',
  ].join('\n'));
  const proc = spawn('turnserver', ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.on('data', (d) => { output += d; });
  proc.stderr.on('data', (d) => { output += d; });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  proc.on('error', (e) => { output += `spawn error: ${e.message} (scripts/setup.sh installs coturn)\n`; });
  process.on('exit', () => { try { proc.kill('SIGKILL'); } catch (_) { /* gone */ } });
  const deadline = Date.now() + 10000;
  for (;;) {
    const log = fs.existsSync(coturnLog) ? fs.readFileSync(coturnLog, 'utf8') : '';
    if (log.includes(`TCP listener opened on : 127.0.0.1:${coturnPort}`)) break;
    if (proc.exitCode !== null || proc.signalCode !== null || Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`turnserver did not start (exit ${proc.exitCode ?? proc.signalCode}):\n${output}\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    proc,
    log: () => fs.readFileSync(coturnLog, 'utf8'),
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      return exited;
    },
  };
}

const coturnUri = () => `turn:127.0.0.1:${coturnPort}?transport=tcp`;

async function newPage(browser, what) {
  const ctx = await browser.newContext();
  await ctx.addInitScript(media.recordIceCandidateErrors);
  const p = await ctx.newPage();
  p.on('pageerror', (e) => process.stderr.write(`[pageerror ${what}] ${e.message}\n`));
  await p.goto(web.url);
  await media.installSpectrum(p);
  return p;
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sfu-coturn-'));
  coturn = await startCoturn();
  console.log(`[turn_external] coturn on 127.0.0.1:${coturnPort} (${coturn.log().match(/Version (\S+)/)?.[1] || 'version ?'})`);
  server = await startServer(['--turn-uri', coturnUri(), '--turn-secret', SECRET, '--turn-policy', 'always', '--log-level', 'info']);
  const bundle = await buildBundle();
  bundleDir = path.dirname(bundle);
  web = await servePage(bundle);
  for (const f of FREQS) {
    const wav = path.join(dir, `tone${f}.wav`);
    media.writeToneWav(wav, f);
    const b = await launchChromium([`--use-file-for-fake-audio-capture=${wav}`]);
    browsers.push(b);
    pages.push(await newPage(b, `${f} Hz`));
  }
}, { timeout: 60000 });

after(async () => {
  for (const b of browsers) await b.close().catch(() => {});
  if (web) await web.close();
  if (server) await server.stop();
  if (coturn) {
    const { code, signal } = await coturn.stop();
    console.log(`[turn_external] coturn stopped (${code ?? signal})`);
  }
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  if (bundleDir) fs.rmSync(bundleDir, { recursive: true, force: true });
});

test('two Chime SDK clients relay through coturn with the server\'s REST credentials: each hears the other, not itself; the selected pairs are coturn relays', { timeout: 60000 }, async () => {
  created = (await media.api(server, 'POST', '/meetings?operation=create-attendees', {
    ExternalMeetingId: 'turn-external', Attendees: FREQS.map((f) => ({ ExternalUserId: `coturn-${f}` })),
  })).json;
  const t0 = Date.now();
  await Promise.all(pages.map((p, i) => p.evaluate(media.joinMeeting, {
    meeting: { Meeting: created.Meeting }, attendee: { Attendee: created.Attendees[i] }, rawMic: true,
  })));
  for (const p of pages) await media.waitFor(p, () => window.ev.started, 'audioVideoDidStart');
  await media.waitForMixedAudio(pages);
  console.log(`[turn_external] audio on both ${Date.now() - t0} ms after join`);
  await new Promise((r) => setTimeout(r, 1500));
  await media.assertEachHearsTheOthers(pages, FREQS);

  for (let i = 0; i < pages.length; i += 1) {
    const what = `browser ${FREQS[i]} Hz`;
    const s = await pages[i].evaluate(media.iceStats);
    assert.ok(s && s.selected, `${what}: a selected pair: ${JSON.stringify(s)}`);
    const { local, remote } = s.selected;
    assert.strictEqual(local.candidateType, 'relay', `${what}: ${JSON.stringify(local)}`);
    assert.strictEqual(local.relayProtocol, 'tcp', `${what}: ${JSON.stringify(local)}`);
    assert.strictEqual(local.url, coturnUri(), `${what}: ${JSON.stringify(local)}`);
    assert.strictEqual(local.address, '127.0.0.1', `${what}: coturn's relay-ip: ${JSON.stringify(local)}`);
    assert.deepStrictEqual([remote.candidateType, remote.protocol, remote.address], ['host', 'udp', '127.0.0.1'], `${what}: ${JSON.stringify(remote)}`);
    assert.ok(s.selected.bytesReceived > 10000 && s.selected.bytesSent > 10000, `${what}: media on the pair ${JSON.stringify(s.selected)}`);
    assert.deepStrictEqual(await pages[i].evaluate(() => window.iceCandidateErrors), [], `${what}: icecandidateerror events`);
    console.log(`${what}: selected relay ${local.relayProtocol} ${local.address}:${local.port} (${local.url}) -> ${remote.protocol} ${remote.address}:${remote.port}`);
  }

  // coturn's account: an allocation for each attendee's REST username, which expires within the
  // server's credential lifetime.
  const log = coturn.log();
  for (const a of created.Attendees) {
    const m = log.match(new RegExp(`session (\\d+): realm <${REALM}> user <(\\d+):${a.AttendeeId}>: incoming packet ALLOCATE processed, success`));
    assert.ok(m, `coturn allocated for ${a.ExternalUserId} (${a.AttendeeId}):\n${log.split('\n').filter((l) => l.includes(a.AttendeeId)).join('\n')}`);
    const expiresIn = Number(m[2]) - Date.now() / 1000;
    assert.ok(expiresIn > 60 && expiresIn < 2 * 86400, `username expiry ${m[2]} (in ${expiresIn.toFixed(0)} s)`);
    console.log(`[turn_external] coturn: session ${m[1]}, user <${m[2]}:${a.AttendeeId}>: ALLOCATE processed, success`);
  }
  const embedded = await media.metricSum(server, 'sfu_shard_turn_events_total', { event: 'allocation' });
  const udpIn = await media.metricSum(server, 'sfu_shard_packets_total', { direction: 'in' });
  console.log(`[turn_external] server: embedded TURN allocations ${embedded}, UDP datagrams in ${udpIn}`);
  assert.strictEqual(embedded, 0, 'the embedded TURN server was not used');
  assert.ok(udpIn > 500, `coturn relayed to the server's UDP port: ${udpIn} datagrams in`);
  assert.match(server.output(), /msg="TURN offered"[^\n]* uris=1/);
});

test('coturn itself: a JOIN_ACK-like credential made with the secret is allocated; with a wrong secret or past its expiry it is refused (401)', async () => {
  assert.ok(created, 'the meeting of the first test');
  const attendee = created.Attendees[0].AttendeeId;
  const now = Math.floor(Date.now() / 1000);
  const cases = [
    ['the server\'s secret', turn.restCredential(SECRET, attendee, now + 3600), true],
    ['a wrong secret', turn.restCredential(`${SECRET}x`, attendee, now + 3601), false],
    ['an expired username', turn.restCredential(SECRET, attendee, now - 60), false],
  ];
  for (const [what, cred, ok] of cases) {
    const r = await turn.tryAllocate('127.0.0.1', coturnPort, cred);
    assert.strictEqual(r.challenge.code, 401, `${what}: the first Allocate is challenged`);
    console.log(`[turn_external] ${what} (${cred.username}): ${r.answer.success ? `allocated ${r.relayed}` : `error ${r.answer.code} ${r.answer.reason}`}`);
    if (ok) {
      assert.ok(r.answer.success && r.relayed, `${what}: allocated: ${JSON.stringify(r.answer)}`);
    } else {
      assert.ok(r.answer.error, `${what}: refused`);
      assert.strictEqual(r.answer.code, 401, `${what}: ${r.answer.code} ${r.answer.reason}`);
      assert.match(coturn.log(), new RegExp(`user <${cred.username}>: incoming packet message processed, error 401`));
    }
  }
});

test('a server with a wrong --turn-secret: coturn refuses its client\'s Allocate (icecandidateerror 401) and no media connects', { timeout: 30000 }, async () => {
  const wrong = await startServer(['--turn-uri', coturnUri(), '--turn-secret', `${SECRET}-wrong`, '--turn-policy', 'always', '--log-level', 'info']);
  let p;
  try {
    const c = (await media.api(wrong, 'POST', '/meetings?operation=create-attendees', {
      ExternalMeetingId: 'turn-wrong-secret', Attendees: [{ ExternalUserId: 'coturn-wrong' }],
    })).json;
    p = await newPage(browsers[0], 'wrong secret');
    await p.evaluate(media.joinMeeting, { meeting: { Meeting: c.Meeting }, attendee: { Attendee: c.Attendees[0] }, rawMic: true });
    await media.waitFor(p, () => window.iceCandidateErrors.length > 0, 'an icecandidateerror', 10000);
    const errors = await p.evaluate(() => window.iceCandidateErrors);
    console.log(`[turn_external] wrong secret: icecandidateerror ${JSON.stringify(errors)}`);
    assert.ok(errors.every((e) => e.url === coturnUri() && e.errorCode === 401), JSON.stringify(errors));
    const id = c.Attendees[0].AttendeeId;
    assert.match(coturn.log(), new RegExp(`user <\\d+:${id}>: incoming packet message processed, error 401`));
    assert.doesNotMatch(coturn.log(), new RegExp(`user <\\d+:${id}>: incoming packet ALLOCATE processed, success`));
    assert.strictEqual(await p.evaluate(() => window.ev.started), false, 'no audioVideoDidStart');
    assert.doesNotMatch(wrong.output(), /msg="media connected"/);
  } finally {
    if (p) await p.context().close().catch(() => {});
    await wrong.stop();
  }
});
