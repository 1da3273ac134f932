// Replica meetings (CreateMeeting with PrimaryMeetingId; docs/DESIGN.md, "Replica meetings") with
// unmodified amazon-chime-sdk-js in real Chromium, one process per attendee, each fake
// microphone playing its own sine (as chime_tones.test.js):
//   - the primary meeting: a talker at 440 Hz with its (fake) camera on, and a second attendee
//     at 550 Hz without camera;
//   - a replica meeting with one attendee at 700 Hz that also turns its camera on.
// The replica attendee hears the primary's mix (440 and 550 Hz), decodes the talker's camera
// tile and sees the primary's two attendees in its roster. The primary's attendees hear no
// 700 Hz, show no tile of it and do not list it; its camera is refused (SUBSCRIBE_ACK 206: the
// SDK reports videoSendDidBecomeUnavailable). promoteToPrimaryMeeting resolves with a non-OK
// status (PRIMARY_MEETING_JOIN_ACK 501 -> SignalingInternalServerError) and the replica client
// keeps hearing the primary. Deleting the primary ends the replica (MeetingEnded on its client,
// GetMeeting 404). Then, without browsers: after a restart on the same data dir the server still
// knows which replicas a primary has (deleting it ends them).
//
// Margins as chime_tones.test.js: heard = 20 dB over the page's noise floor; absent = under
// -60 dBFS (35 dB under a heard tone here) and within 10 dB of an unplayed control frequency
// (760 Hz): next to heard tones Opus leaves noise well above the page's median floor.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startServer, launchChromium } = require('./harness');
const { buildBundle, servePage } = require('./chime_bundle');
const { writeToneWav, api: apiOf, installSpectrum, joinMeeting, tileStates, waitFor, audioBytes,
  waitForMixedAudio, assertTileDecodes } = require('./chime_media');

const FREQS = [440, 550, 700];  // talker (camera), primary listener, replica attendee (camera)
// Nobody plays it: what a page "hears" there is the codec's noise next to the heard tones, the
// yardstick for 700 Hz on the pages that must not hear it.
const CONTROL = 760;
const MEASURED = [...FREQS, CONTROL];
let server;
let serverArgs;
let web;
let dir;
let bundleDir;
const browsers = [];
const pages = [];

const api = (method, p, body) => apiOf(server, method, p, body);

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sfu-replica-'));
  serverArgs = ['--data-dir', path.join(dir, 'data'), '--log-level', process.env.SFU_TEST_LOG_LEVEL || 'warn'];
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
}, { timeout: 60000 });

after(async () => {
  for (const b of browsers) await b.close().catch(() => {});
  if (web) await web.close();
  if (server) await server.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  if (bundleDir) fs.rmSync(bundleDir, { recursive: true, force: true });
});

async function spectra(ms) {
  return Promise.all(pages.map((p) => p.evaluate(
    ([freqs, t]) => window.spectrumOf(document.getElementById('audio').srcObject, freqs, t), [MEASURED, ms])));
}
const heard = (r, k) => r.levels[k] - r.floor >= 20;
// Absent: under -60 dBFS (a heard tone is about -25 here) and no stronger than the unplayed
// control frequency plus 10 dB.
const absent = (r, k) => r.levels[k] < -60 && r.levels[k] - r.levels[FREQS.length] < 10;
const describe = (s) => s.map((r, i) => `${FREQS[i]} Hz hears ${MEASURED.map((f, k) => `${f}:${r.levels[k].toFixed(1)}`).join(' ')} floor ${r.floor.toFixed(1)} dB`).join('; ');

test('a replica attendee hears and sees the primary, is neither heard nor seen nor listed there, and cannot be promoted', { timeout: 150000 }, async () => {
  const primary = await api('POST', '/meetings?operation=create-attendees', {
    ExternalMeetingId: 'replica-primary',
    Attendees: [{ ExternalUserId: 'talker' }, { ExternalUserId: 'listener' }],
  });
  assert.strictEqual(primary.status, 200);
  const primaryId = primary.json.Meeting.MeetingId;
  const [talker, listener] = primary.json.Attendees;

  // The API's rules: an unknown primary and a replica as primary are refused.
  const unknown = await api('POST', '/meetings', { PrimaryMeetingId: '00000000-0000-4000-8000-000000000000' });
  assert.strictEqual(unknown.status, 400, JSON.stringify(unknown.json));
  assert.match(unknown.json.Message, /primary meeting .* was not found/);
  const replica = await api('POST', '/meetings', { ExternalMeetingId: 'replica-1', PrimaryMeetingId: primaryId });
  assert.strictEqual(replica.status, 200, JSON.stringify(replica.json));
  assert.strictEqual(replica.json.Meeting.PrimaryMeetingId, primaryId);
  const replicaId = replica.json.Meeting.MeetingId;
  const chained = await api('POST', '/meetings', { PrimaryMeetingId: replicaId });
  assert.strictEqual(chained.status, 400, JSON.stringify(chained.json));
  const viewer = (await api('POST', `/meetings/${replicaId}/attendees`, { ExternalUserId: 'viewer' })).json.Attendee;
  assert.ok(viewer && viewer.JoinToken);

  const joins = [
    { meeting: { Meeting: primary.json.Meeting }, attendee: { Attendee: talker }, rawMic: true, camera: true },
    { meeting: { Meeting: primary.json.Meeting }, attendee: { Attendee: listener }, rawMic: true },
    { meeting: { Meeting: replica.json.Meeting }, attendee: { Attendee: viewer }, rawMic: true, camera: true },
  ];
  await Promise.all(pages.map((p, i) => p.evaluate(joinMeeting, joins[i])));
  for (const p of pages) await waitFor(p, () => window.ev.started, 'audioVideoDidStart');
  await waitForMixedAudio(pages);
  await new Promise((r) => setTimeout(r, 1500));  // everyone's audio in the mix

  // Audio: the replica hears the primary's shared mix; nobody hears the replica.
  let s = await spectra(3000);
  console.log(describe(s));
  assert.ok(heard(s[0], 1) && heard(s[1], 0), `the primary's attendees hear each other: ${describe(s)}`);
  assert.ok(heard(s[2], 0) && heard(s[2], 1), `the replica attendee hears both primary attendees: ${describe(s)}`);
  assert.ok(absent(s[0], 2) && absent(s[1], 2), `no primary attendee hears the replica's 700 Hz: ${describe(s)}`);
  assert.ok(absent(s[2], 2), `the replica attendee does not hear itself: ${describe(s)}`);

  // Video: the replica decodes the talker's camera; its own camera was refused (206).
  const tile = await assertTileDecodes(pages[2], talker.AttendeeId, { what: 'replica' });
  console.log(`replica decodes the talker's camera: ${tile.width}x${tile.height}, ${tile.frames} frames`);
  await assertTileDecodes(pages[1], talker.AttendeeId, { what: 'primary listener' });
  await waitFor(pages[2], () => window.ev.videoSendUnavailable === true, 'the replica told it cannot send video (206)');
  for (const i of [0, 1]) {
    const tiles = await pages[i].evaluate(tileStates);
    assert.ok(!tiles.some((t) => t.attendee.startsWith(viewer.AttendeeId)), `primary page ${i} shows no replica tile: ${JSON.stringify(tiles)}`);
  }

  // Roster: the replica lists the primary's attendees; the primary does not list the replica.
  await waitFor(pages[2], (ids) => ids.every((id) => window.ev.present[id] === true), 'the primary roster on the replica', 20000,
    [talker.AttendeeId, listener.AttendeeId]);
  for (const i of [0, 1]) {
    await waitFor(pages[i], (id) => window.ev.present[id] === true, 'the other primary attendee present', 20000,
      [talker, listener][1 - i].AttendeeId);
    const present = await pages[i].evaluate(() => window.ev.present);
    assert.ok(!(viewer.AttendeeId in present), `primary page ${i} does not list the replica attendee: ${JSON.stringify(present)}`);
  }

  // Promotion is refused with an error ack the SDK maps to a non-OK status; the session stays.
  const promotee = (await api('POST', `/meetings/${primaryId}/attendees`, { ExternalUserId: 'viewer-promoted' })).json.Attendee;
  const reconnects = await pages[2].evaluate(() => window.ev.reconnects);
  const started = Date.now();
  const status = await pages[2].evaluate(async (a) => {
    const S = window.ChimeSDK;
    const c = new S.MeetingSessionCredentials();
    c.attendeeId = a.AttendeeId;
    c.externalUserId = a.ExternalUserId;
    c.joinToken = a.JoinToken;
    const st = await window.session.audioVideo.promoteToPrimaryMeeting(c);
    return S.MeetingSessionStatusCode[st.statusCode()];
  }, promotee);
  console.log(`promoteToPrimaryMeeting resolved in ${Date.now() - started} ms: ${status}`);
  assert.strictEqual(status, 'SignalingInternalServerError');
  const bytes = await audioBytes(pages[2]);
  await new Promise((r) => setTimeout(r, 1000));
  assert.ok(await audioBytes(pages[2]) > bytes + 2000, 'the replica keeps receiving audio after the refused promotion');
  s = await spectra(2000);
  assert.ok(heard(s[2], 0), `the replica still hears the talker: ${describe(s)}`);
  assert.ok(absent(s[0], 2), `the talker still does not hear the replica: ${describe(s)}`);
  assert.strictEqual(await pages[2].evaluate(() => window.ev.reconnects), reconnects, 'no reconnect');
  assert.strictEqual(await pages[2].evaluate(() => window.ev.stopped), undefined, 'the replica session goes on');

  // Deleting the primary ends the replica too.
  assert.strictEqual((await api('DELETE', `/meetings/${primaryId}`)).status, 204);
  await waitFor(pages[2], () => window.ev.stopped === 'MeetingEnded', 'the replica client told the meeting ended', 10000);
  assert.strictEqual((await api('GET', `/meetings/${replicaId}`)).status, 404);
});

test('after a restart, deleting a primary still ends its replicas', { timeout: 30000 }, async () => {
  const primary = (await api('POST', '/meetings', { ExternalMeetingId: 'restart-primary' })).json.Meeting;
  const replicas = [];
  for (let i = 0; i < 2; i += 1) {
    replicas.push((await api('POST', '/meetings', { ExternalMeetingId: `restart-replica-${i}`, PrimaryMeetingId: primary.MeetingId })).json.Meeting);
  }
  const other = (await api('POST', '/meetings', { ExternalMeetingId: 'restart-other' })).json.Meeting;
  const port = server.port;
  await new Promise((resolve) => { server.proc.once('exit', resolve); server.proc.kill('SIGTERM'); });
  server = await startServer(serverArgs, { port });
  for (const r of replicas) assert.strictEqual((await api('GET', `/meetings/${r.MeetingId}`)).json.Meeting.PrimaryMeetingId, primary.MeetingId);
  assert.strictEqual((await api('DELETE', `/meetings/${primary.MeetingId}`)).status, 204);
  for (const r of replicas) assert.strictEqual((await api('GET', `/meetings/${r.MeetingId}`)).status, 404, 'the replica ended with its primary');
  assert.strictEqual((await api('GET', `/meetings/${other.MeetingId}`)).status, 200);
});
