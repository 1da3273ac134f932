// Unmodified amazon-chime-sdk-js (npm, bundled with esbuild) in headless Chromium with fake
// devices: three attendees created through the control API join one meeting. For each:
// audioVideoDidStart, the others present in the roster, their volume indicators moving, mute seen
// by the others, a data message
// received by the others with the right sender (not by the sender), the mixed-audio track
// bound and receiving; after DeleteMeeting every client reports the meeting ended.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert');
const { startServer, launchChromium } = require('./harness');
const { buildBundle, servePage } = require('./chime_bundle');

let server;
let browser;
let page;
let pages = [];

async function api(method, path, body) {
  const r = await fetch(`${server.url}${path}`, { method, headers: { 'Content-Type': 'application/json' }, body: body && JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : null };
}

// Runs in the page: joins with the SDK and records what the client reports.
async function joinMeeting({ meeting, attendee }) {
  const S = window.ChimeSDK;
  const logger = new S.ConsoleLogger('sdk', S.LogLevel.WARN);
  const config = new S.MeetingSessionConfiguration(meeting, attendee);
  const session = new S.DefaultMeetingSession(config, logger, new S.DefaultDeviceController(logger));
  const ev = { started: false, stopped: null, presence: {}, mutes: {}, volumes: {}, messages: [] };
  window.ev = ev;
  window.session = session;
  const av = session.audioVideo;
  av.addObserver({
    audioVideoDidStart: () => { ev.started = true; },
    audioVideoDidStop: (status) => { ev.stopped = status.statusCode(); },
  });
  av.realtimeSubscribeToAttendeeIdPresence((id, present) => {
    ev.presence[id] = present;
    av.realtimeSubscribeToVolumeIndicator(id, (aid, volume, muted) => {
      if (muted !== null && muted !== undefined) ev.mutes[aid] = muted;
      if (typeof volume === 'number') ev.volumes[aid] = Math.max(ev.volumes[aid] || 0, volume);
    });
  });
  av.realtimeSubscribeToReceiveDataMessage('chat', (m) => {
    ev.messages.push({ from: m.senderAttendeeId, fromExternal: m.senderExternalUserId, text: m.text(), throttled: m.throttled });
  });
  const mics = await av.listAudioInputDevices();
  await av.startAudioInput(mics[0].deviceId);
  await av.bindAudioElement(document.getElementById('audio'));
  av.start();
  return { sdkVersion: S.Versioning.sdkVersion, meetingEnded: S.MeetingSessionStatusCode.MeetingEnded };
}

async function waitFor(p, fn, what, ms = 20000, arg = undefined) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await p.evaluate(fn, arg);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(await p.evaluate(() => window.ev))}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

let web;
let meeting;
let attendees;
let meetingEndedCode;

before(async () => {
  server = await startServer(['--shards', '2', '--log-level', process.env.SFU_TEST_LOG_LEVEL || 'warn']);
  web = await servePage(await buildBundle());
  browser = await launchChromium();
  const created = await api('POST', '/meetings?operation=create-attendees', {
    ExternalMeetingId: 'three-browsers',
    Attendees: [{ ExternalUserId: 'alice' }, { ExternalUserId: 'bob' }, { ExternalUserId: 'carol' }],
  });
  assert.strictEqual(created.status, 200);
  meeting = created.json.Meeting;
  attendees = created.json.Attendees;
  const context = await browser.newContext();
  pages = await Promise.all(attendees.map(() => context.newPage()));
  for (const p of pages) {
    p.on('pageerror', (e) => process.stderr.write(`[pageerror] ${e.message}\n`));
    await p.goto(web.url);
  }
});

after(async () => {
  if (browser) await browser.close();
  if (web) await web.close();
  if (server) await server.stop();
});

test('three Chime SDK clients join, see each other, mute, message, and end with the meeting', { timeout: 120000 }, async () => {
  const infos = await Promise.all(pages.map((p, i) => p.evaluate(joinMeeting, { meeting: { Meeting: meeting }, attendee: { Attendee: attendees[i] } })));
  meetingEndedCode = infos[0].meetingEnded;
  console.log(`amazon-chime-sdk-js ${infos[0].sdkVersion}`);

  // audioVideoDidStart on every client.
  for (const p of pages) await waitFor(p, () => window.ev.started, 'audioVideoDidStart');

  // Everyone sees everyone (including themselves) present.
  const ids = attendees.map((a) => a.AttendeeId);
  for (const p of pages) {
    await waitFor(p, (all) => all.every((id) => window.ev.presence[id] === true), 'presence of all attendees', 20000, ids);
  }
  for (const p of pages) {
    const presence = await p.evaluate(() => window.ev.presence);
    for (const id of ids) assert.strictEqual(presence[id], true, `presence of ${id}`);
  }

  // The mixed-audio track is bound and receiving.
  for (const p of pages) {
    await waitFor(p, async () => {
      const el = document.getElementById('audio');
      if (!el.srcObject || el.srcObject.getAudioTracks().length === 0) return false;
      const stats = await window.session.audioVideo.getRTCPeerConnectionStats();
      let bytes = 0;
      stats.forEach((r) => { if (r.type === 'inbound-rtp' && r.kind === 'audio') bytes += r.bytesReceived; });
      return bytes > 0;
    }, 'mixed audio track receiving');
  }

  // Volume indicators (AUDIO_METADATA from the RFC 6464 levels of the fake microphones): every
  // client sees someone else speak.
  for (let i = 0; i < pages.length; i += 1) {
    const others = ids.filter((_, k) => k !== i);
    await waitFor(pages[i], (o) => o.some((id) => (window.ev.volumes[id] || 0) > 0), 'volume of another attendee', 15000, others);
  }

  // Alice mutes: Bob and Carol see it.
  await pages[0].evaluate(() => window.session.audioVideo.realtimeMuteLocalAudio());
  for (const p of pages.slice(1)) {
    await waitFor(p, (id) => window.ev.mutes[id] === true, 'alice muted', 10000, attendees[0].AttendeeId);
  }

  // Bob sends a data message: Alice and Carol get it from Bob; Bob does not.
  await pages[1].evaluate(() => window.session.audioVideo.realtimeSendDataMessage('chat', 'hello from bob'));
  for (const p of [pages[0], pages[2]]) {
    const msgs = await waitFor(p, () => (window.ev.messages.length ? window.ev.messages : null), 'data message');
    assert.strictEqual(msgs[0].text, 'hello from bob');
    assert.strictEqual(msgs[0].from, attendees[1].AttendeeId);
    assert.strictEqual(msgs[0].fromExternal, 'bob');
    assert.strictEqual(msgs[0].throttled, false);
  }
  await new Promise((r) => setTimeout(r, 300));
  assert.deepStrictEqual(await pages[1].evaluate(() => window.ev.messages), [], 'the sender does not get its own message');

  // DeleteMeeting: every client reports MeetingEnded.
  assert.strictEqual((await api('DELETE', `/meetings/${meeting.MeetingId}`)).status, 204);
  for (const p of pages) {
    await waitFor(p, (code) => window.ev.stopped === code, 'MeetingEnded', 15000, meetingEndedCode).catch(() => {});
    assert.strictEqual(await p.evaluate(() => window.ev.stopped), meetingEndedCode, 'audioVideoDidStop(MeetingEnded)');
  }
});

test('a Chime SDK client joins over wss when the server has a TLS certificate', { timeout: 60000 }, async () => {
  const { execFileSync } = require('node:child_process');
  const fs = require('node:fs');
  const os = require('node:os');
  const path = require('node:path');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sfu-tls-'));
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
  const tlsServer = await startServer(['--tls-cert', cert, '--tls-key', key, '--log-level', 'warn'], { tls: true });
  const tlsBrowser = await launchChromium(['--ignore-certificate-errors']);
  try {
    const r = await fetch(`${tlsServer.url}/meetings?operation=create-attendees`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ Attendees: [{ ExternalUserId: 'secure-one' }] }),
    });
    const created = await r.json();
    assert.match(created.Meeting.MediaPlacement.SignalingUrl, /^wss:\/\/127\.0\.0\.1:\d+\/control\//);
    const p = await (await tlsBrowser.newContext()).newPage();
    await p.goto(web.url);
    await p.evaluate(joinMeeting, { meeting: { Meeting: created.Meeting }, attendee: { Attendee: created.Attendees[0] } });
    await waitFor(p, () => window.ev.started, 'audioVideoDidStart over wss');
    await waitFor(p, (id) => window.ev.presence[id] === true, 'own presence over wss', 10000, created.Attendees[0].AttendeeId);
  } finally {
    await tlsBrowser.close();
    await tlsServer.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
