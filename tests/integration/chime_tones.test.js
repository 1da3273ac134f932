// The mixer heard through unmodified amazon-chime-sdk-js clients in real Chromium: three
// attendees, each a separate Chromium process whose fake microphone plays its own sine
// (--use-file-for-fake-audio-capture with a generated WAV: 440, 700, 1100 Hz). Each page feeds
// the SDK's bound audio element (the one mixed stream it receives) into a WebAudio analyser.
// Each browser must hear the other two tones and not its own. Then the server is killed
// (SIGKILL) and, later, stopped (SIGTERM), each time started again on the same port and data
// dir: every client must reconnect by itself, hear the others again, see the whole roster, and
// the meeting and its join tokens must be intact.
//
// Margins (dBFS from AnalyserNode.getFloatFrequencyData, fftSize 8192, median over ~3 s):
// another attendee's tone at least 20 dB above the noise floor (median of the spectrum between
// 200 Hz and 4 kHz away from the tones); the own tone at least 20 dB below the weaker of the two
// others. A sanity check first proves each fake microphone carries its tone.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startServer, launchChromium } = require('./harness');
const { buildBundle, servePage } = require('./chime_bundle');
const { writeToneWav, api: apiOf, installSpectrum, joinMeeting, waitFor, audioBytes, waitForMixedAudio,
  assertEachHearsTheOthers: eachHearsTheOthers, iceStats } = require('./chime_media');

const FREQS = [440, 700, 1100];
let server;
let serverArgs;
let dataDir;
let web;
let dir;
let bundleDir;
const browsers = [];
const pages = [];

const api = (method, p, body) => apiOf(server, method, p, body);

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sfu-tones-'));
  dataDir = path.join(dir, 'data');
  serverArgs = ['--data-dir', dataDir, '--log-level', process.env.SFU_TEST_LOG_LEVEL || 'warn'];
  server = await startServer(serverArgs);
  const bundle = await buildBundle();
  bundleDir = path.dirname(bundle);
  web = await servePage(bundle);
  for (let i = 0; i < FREQS.length; i += 1) {
    const wav = path.join(dir, `tone${FREQS[i]}.wav`);
    writeToneWav(wav, FREQS[i]);
    const b = await launchChromium([`--use-file-for-fake-audio-capture=${wav}`]);
    browsers.push(b);
    const p = await (await b.newContext()).newPage();
    p.on('pageerror', (e) => process.stderr.write(`[pageerror ${FREQS[i]}] ${e.message}\n`));
    await p.goto(web.url);
    await installSpectrum(p);
    pages.push(p);
  }
}, { timeout: 90000 });

after(async () => {
  for (const b of browsers) await b.close().catch(() => {});
  if (web) await web.close();
  if (server) await server.stop();  // its data dir is ours (dir/data), removed below
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  if (bundleDir) fs.rmSync(bundleDir, { recursive: true, force: true });
});

test('each fake microphone carries its own tone', { timeout: 60000 }, async () => {
  for (let i = 0; i < pages.length; i += 1) {
    const r = await pages[i].evaluate(async (freqs) => {
      const mic = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
      const out = await window.spectrumOf(mic, freqs, 1000);
      mic.getTracks().forEach((t) => t.stop());
      return out;
    }, FREQS);
    console.log(`microphone ${FREQS[i]} Hz: levels ${r.levels.map((v) => v.toFixed(1)).join(' / ')} dB, floor ${r.floor.toFixed(1)} dB`);
    assert.ok(r.levels[i] - r.floor >= 20, `microphone ${i} carries ${FREQS[i]} Hz`);
  }
});

const assertEachHearsTheOthers = () => eachHearsTheOthers(pages, FREQS);

let created;

test('three Chime SDK clients each hear the two others and not themselves', { timeout: 120000 }, async () => {
  created = await api('POST', '/meetings?operation=create-attendees', {
    ExternalMeetingId: 'tones',
    Attendees: FREQS.map((f) => ({ ExternalUserId: `tone-${f}` })),
  });
  assert.strictEqual(created.status, 200);
  await Promise.all(pages.map((p, i) => p.evaluate(joinMeeting, { meeting: { Meeting: created.json.Meeting }, attendee: { Attendee: created.json.Attendees[i] }, rawMic: true })));
  for (const p of pages) await waitFor(p, () => window.ev.started, 'audioVideoDidStart');
  await waitForMixedAudio(pages);
  await new Promise((r) => setTimeout(r, 1500));  // everyone's audio in the mix
  await assertEachHearsTheOthers();
  // Where UDP works it wins: the answer's ICE-TCP candidate ranks below the UDP one
  // (ice_tcp.test.js is the network where only TCP does).
  for (let i = 0; i < pages.length; i += 1) {
    const s = await pages[i].evaluate(iceStats);
    assert.strictEqual(s && s.selected && s.selected.remote.protocol, 'udp', `client ${FREQS[i]}: selected pair ${JSON.stringify(s && s.selected)}`);
  }
});

// Kills (or stops) the server and starts it again on the same port and data dir; returns the
// seconds from the new server answering /healthz until every client receives mixed audio again.
async function restartAndRecover(signal) {
  assert.ok(created, 'the meeting of the first test');
  const port = server.port;
  const reconnects = await Promise.all(pages.map((p) => p.evaluate(() => window.ev.reconnects)));
  await new Promise((resolve) => { server.proc.once('exit', resolve); server.proc.kill(signal); });
  server = await startServer(serverArgs, { port });
  const started = Date.now();
  // The meeting and its tokens survived: the API still knows them.
  const m = await api('GET', `/meetings/${created.json.Meeting.MeetingId}`);
  assert.strictEqual(m.status, 200, 'the meeting is intact after the restart');
  // Every client reconnects by itself (no app action) and audio flows again.
  for (let i = 0; i < pages.length; i += 1) {
    await waitFor(pages[i], (n) => window.ev.reconnects > n, `client ${FREQS[i]} reconnecting`, 60000, reconnects[i]);
  }
  const before = await Promise.all(pages.map(audioBytes));
  for (let i = 0; i < pages.length; i += 1) {
    const deadline = Date.now() + 60000;
    while ((await audioBytes(pages[i])) <= before[i] + 2000) {
      if (Date.now() > deadline) throw new Error(`client ${FREQS[i]} receives no audio after the restart`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const seconds = (Date.now() - started) / 1000;
  // The roster is complete again on every client.
  const ids = created.json.Attendees.map((a) => a.AttendeeId);
  for (const p of pages) {
    await waitFor(p, (all) => all.every((id) => window.ev.present[id] === true), 'every attendee present', 30000, ids);
  }
  await new Promise((r) => setTimeout(r, 1500));
  await assertEachHearsTheOthers();
  return seconds;
}

test('after SIGKILL and a restart on the same port and data dir, every client reconnects by itself and hears the others', { timeout: 180000 }, async () => {
  const s = await restartAndRecover('SIGKILL');
  console.log(`SIGKILL: every client receives mixed audio ${s.toFixed(1)} s after the new server answered`);
});

test('after SIGTERM (clean shutdown) and a restart, every client reconnects by itself and hears the others', { timeout: 180000 }, async () => {
  const s = await restartAndRecover('SIGTERM');
  console.log(`SIGTERM: every client receives mixed audio ${s.toFixed(1)} s after the new server answered`);
});

// Attendee capabilities live (docs/PROTOCOL.md, "Attendee capabilities"), on the same three
// clients: UpdateAttendeeCapabilities to Audio Receive takes the 700 Hz attendee out of the mix
// (it still hears the others); back to SendReceive it is heard again within a second, without a
// renegotiation; BatchUpdateAttendeeCapabilitiesExcept leaves only the 440 Hz attendee audible.
async function spectra(ms) {
  return Promise.all(pages.map((p) => p.evaluate(
    ([freqs, t]) => window.spectrumOf(document.getElementById('audio').srcObject, freqs, t), [FREQS, ms])));
}
const heard = (r, k) => r.levels[k] - r.floor >= 20;
// Absent: 35 dB under a heard tone (about -25 dBFS here) whatever the page's noise floor (the
// floor of a page that hears nobody is digital silence, ~-100 dBFS).
const absent = (r, k) => r.levels[k] < -60;

async function setAudio(attendee, audio) {
  const r = await api('PUT', `/meetings/${created.json.Meeting.MeetingId}/attendees/${attendee.AttendeeId}/capabilities`,
    { Capabilities: { Audio: audio, Video: 'SendReceive', Content: 'SendReceive' } });
  assert.strictEqual(r.status, 200, JSON.stringify(r.json));
}

test('capabilities: a Receive-only attendee is not heard but hears; SendReceive again is heard within a second; batch-update-except', { timeout: 120000 }, async () => {
  assert.ok(created, 'the meeting of the first test');
  const [a440, a700, a1100] = created.json.Attendees;
  await setAudio(a700, 'Receive');
  await new Promise((r) => setTimeout(r, 1000));
  let s = await spectra(2000);
  assert.ok(absent(s[0], 1) && absent(s[2], 1), `700 Hz still heard: ${JSON.stringify(s.map((x) => x.levels))}`);
  assert.ok(heard(s[1], 0) && heard(s[1], 2), 'the Receive-only attendee hears the others');
  assert.ok(heard(s[0], 2) && heard(s[2], 0), 'the others still hear each other');

  await setAudio(a700, 'SendReceive');
  await new Promise((r) => setTimeout(r, 1000));
  s = await spectra(1000);  // the second after the first one
  assert.ok(heard(s[0], 1) && heard(s[2], 1), `700 Hz not heard a second after SendReceive: ${JSON.stringify(s.map((x) => x.levels))}`);

  const b = await api('PUT', `/meetings/${created.json.Meeting.MeetingId}/attendees/capabilities?operation=batch-update-except`,
    { ExcludedAttendeeIds: [{ AttendeeId: a440.AttendeeId }], Capabilities: { Audio: 'Receive', Video: 'Receive', Content: 'Receive' } });
  assert.strictEqual(b.status, 200, JSON.stringify(b.json));
  await new Promise((r) => setTimeout(r, 1000));
  s = await spectra(2000);
  console.log(`after batch-update-except: ${s.map((r, i) => `${FREQS[i]} Hz hears ${r.levels.map((v) => (v - r.floor).toFixed(0)).join('/')} dB over floor`).join('; ')}`);
  assert.ok(heard(s[1], 0) && heard(s[2], 0), 'the excluded attendee is still heard');
  assert.ok(absent(s[1], 2) && absent(s[2], 1) && absent(s[0], 1) && absent(s[0], 2), 'everyone else is silent');
  for (const a of [a700, a1100]) await setAudio(a, 'SendReceive');
});
