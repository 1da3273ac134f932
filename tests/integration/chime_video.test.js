// Cameras through the SFU with unmodified amazon-chime-sdk-js in real Chromium (fake camera):
// (last test: the same with simulcast enabled in the client configuration)
// three attendees turn their cameras on; every browser must show a decoding tile for each of the
// other two (a bound <video> with non-zero size whose decoded-frame count advances), mapped to
// the right attendee. Then one of them shares content (a canvas stream, through the SDK's
// second "#content" session) and the other two show it as a content tile.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert');
const { startServer, launchChromium } = require('./harness');
const { buildBundle, servePage } = require('./chime_bundle');
const { api: apiOf, joinMeeting, tileStates } = require('./chime_media');

let server;
let web;
let browser;
const pages = [];

const api = (method, p, body) => apiOf(server, method, p, body);

before(async () => {
  server = await startServer(['--log-level', process.env.SFU_TEST_LOG_LEVEL || 'warn']);
  web = await servePage(await buildBundle());
  browser = await launchChromium();
  const context = await browser.newContext();
  for (let i = 0; i < 3; i += 1) {
    const p = await context.newPage();
    p.on('pageerror', (e) => process.stderr.write(`[pageerror] ${e.message}\n`));
    await p.goto(web.url);
    pages.push(p);
  }
});

after(async () => {
  if (browser) await browser.close();
  if (web) await web.close();
  if (server) await server.stop();
});

test('three cameras: every browser shows a decoding tile for each other attendee', { timeout: 120000 }, async () => {
  const created = await api('POST', '/meetings?operation=create-attendees', {
    ExternalMeetingId: 'cameras',
    Attendees: [{ ExternalUserId: 'alice' }, { ExternalUserId: 'bob' }, { ExternalUserId: 'carol' }],
  });
  assert.strictEqual(created.status, 200);
  const attendees = created.json.Attendees;
  await Promise.all(pages.map((p, i) => p.evaluate(joinMeeting, { meeting: { Meeting: created.json.Meeting }, attendee: { Attendee: attendees[i] }, camera: true })));
  for (let i = 0; i < pages.length; i += 1) {
    const others = attendees.filter((_, k) => k !== i).map((a) => a.AttendeeId);
    const deadline = Date.now() + 30000;
    let last = [];
    for (;;) {
      last = await pages[i].evaluate(tileStates);
      const good = others.every((id) => last.some((t) => t.attendee === id && t.width > 0 && t.frames > 10));
      if (good) break;
      if (Date.now() > deadline) assert.fail(`browser ${i}: tiles ${JSON.stringify(last)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    // Frames keep coming.
    const before = last;
    await new Promise((r) => setTimeout(r, 1000));
    const after = await pages[i].evaluate(tileStates);
    for (const id of others) {
      const b = before.find((t) => t.attendee === id);
      const a = after.find((t) => t.attendee === id);
      assert.ok(a.frames > b.frames, `browser ${i}: video of ${id} advances (${b.frames} -> ${a.frames})`);
    }
    console.log(`browser ${i}: ${after.map((t) => `${t.attendee.slice(0, 8)} ${t.width}x${t.height} ${t.frames} frames`).join(', ')}`);
  }
});

// In the page: share an animated canvas as content.
async function shareCanvas() {
  const c = document.createElement('canvas');
  c.width = 640;
  c.height = 360;
  document.body.appendChild(c);
  const g = c.getContext('2d');
  let n = 0;
  window.contentTimer = setInterval(() => {
    n += 1;
    g.fillStyle = `hsl(${(n * 7) % 360}, 80%, 50%)`;
    g.fillRect(0, 0, 640, 360);
    g.fillStyle = '#000';
    g.font = '48px sans-serif';
    g.fillText(`slide ${n}`, 40, 180);
  }, 66);
  await window.session.audioVideo.startContentShare(c.captureStream(15));
}

test('content share from one browser appears on the others as a content tile', { timeout: 90000 }, async () => {
  const sharer = await pages[0].evaluate(() => window.session.configuration.credentials.attendeeId);
  await pages[0].evaluate(shareCanvas);
  for (const p of pages.slice(1)) {
    const deadline = Date.now() + 30000;
    let last = [];
    for (;;) {
      last = await p.evaluate(tileStates);
      const c = last.find((t) => t.content && t.attendee === `${sharer}#content`);
      if (c && c.width > 0 && c.frames > 5) break;
      if (Date.now() > deadline) assert.fail(`no content tile: ${JSON.stringify(last)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const before = last.find((t) => t.content).frames;
    await new Promise((r) => setTimeout(r, 1000));
    const after = (await p.evaluate(tileStates)).find((t) => t.content).frames;
    assert.ok(after > before, `the content tile advances (${before} -> ${after})`);
  }
  await pages[0].evaluate(() => { window.session.audioVideo.stopContentShare(); clearInterval(window.contentTimer); });
});

test('simulcast cameras (rid low/mid/hi, priority policy): each browser decodes the other', { timeout: 90000 }, async () => {
  const created = await api('POST', '/meetings?operation=create-attendees', {
    ExternalMeetingId: 'simulcast',
    Attendees: [{ ExternalUserId: 'sim-a' }, { ExternalUserId: 'sim-b' }],
  });
  assert.strictEqual(created.status, 200);
  const context = await browser.newContext();
  const two = [await context.newPage(), await context.newPage()];
  for (const p of two) await p.goto(web.url);
  const attendees = created.json.Attendees;
  await Promise.all(two.map((p, i) => p.evaluate(joinMeeting, { meeting: { Meeting: created.json.Meeting }, attendee: { Attendee: attendees[i] }, simulcast: true, camera: true })));
  for (let i = 0; i < 2; i += 1) {
    const other = attendees[1 - i].AttendeeId;
    const deadline = Date.now() + 30000;
    let t;
    for (;;) {
      t = (await two[i].evaluate(tileStates)).find((x) => x.attendee === other);
      if (t && t.width > 0 && t.frames > 10) break;
      if (Date.now() > deadline) assert.fail(`simulcast browser ${i}: ${JSON.stringify(t)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    await new Promise((r) => setTimeout(r, 1000));
    const later = (await two[i].evaluate(tileStates)).find((x) => x.attendee === other);
    assert.ok(later.frames > t.frames, `simulcast video advances (${t.frames} -> ${later.frames})`);
    console.log(`simulcast browser ${i}: ${later.width}x${later.height} ${later.frames} frames`);
  }
  await context.close();
});

// Attendee capabilities (docs/PROTOCOL.md, "Attendee capabilities"): an attendee created with
// Video: Receive turns its camera on like everyone, but the server answers its camera section
// inactive and keeps it out of the index: the other browser never gets a tile for it, while the
// Receive-only attendee sees the other's camera.
test('a Video: Receive attendee sees cameras but its own camera never appears as a tile', { timeout: 90000 }, async () => {
  const created = await api('POST', '/meetings?operation=create-attendees', {
    ExternalMeetingId: 'capabilities',
    Attendees: [{ ExternalUserId: 'presenter' },
      { ExternalUserId: 'viewer', Capabilities: { Audio: 'SendReceive', Video: 'Receive', Content: 'None' } }],
  });
  assert.strictEqual(created.status, 200);
  const [presenter, viewer] = created.json.Attendees;
  assert.deepStrictEqual(viewer.Capabilities, { Audio: 'SendReceive', Video: 'Receive', Content: 'None' });
  const context = await browser.newContext();
  const two = [await context.newPage(), await context.newPage()];
  for (const p of two) await p.goto(web.url);
  await Promise.all(two.map((p, i) => p.evaluate(joinMeeting, { meeting: { Meeting: created.json.Meeting }, attendee: { Attendee: created.json.Attendees[i] }, camera: true })));
  // The viewer decodes the presenter's camera...
  const deadline = Date.now() + 30000;
  for (;;) {
    const t = (await two[1].evaluate(tileStates)).find((x) => x.attendee === presenter.AttendeeId);
    if (t && t.width > 0 && t.frames > 10) break;
    if (Date.now() > deadline) assert.fail(`the viewer shows no presenter tile: ${JSON.stringify(t)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  // ...and, 3 s later, the presenter still has no tile for the viewer's camera.
  await new Promise((r) => setTimeout(r, 3000));
  const presenterTiles = await two[0].evaluate(tileStates);
  assert.ok(!presenterTiles.some((t) => t.attendee === viewer.AttendeeId),
    `the viewer's camera reached the presenter: ${JSON.stringify(presenterTiles)}`);
  const sent = await two[1].evaluate(async () => {
    const stats = await window.session.audioVideo.getRTCPeerConnectionStats();
    let frames = 0;
    stats.forEach((r) => { if (r.type === 'outbound-rtp' && r.kind === 'video') frames += r.framesEncoded || 0; });
    return frames;
  });
  console.log(`viewer: camera frames encoded ${sent} (its section answered inactive); presenter tiles: ${presenterTiles.length}`);
  await context.close();
});
