// The meeting app (web/app, served at / by sfu-server) driven like a person would, in three
// real Chromium processes, each with a fake camera and its own tone as microphone (440, 700,
// 1100 Hz): Ada opens / and types the meeting name, Bo and Cy open the link /design-review.
// Each must see two named remote tiles decoding, hear the two other tones and not its own
// (after choosing "Original sound" in the Devices dialog: noise suppression takes steady
// tones away), see Bo's chat message, see Cy's mute in the roster, and see Ada's screen share
// as a content tile (Chromium's fake screen capture); then all leave. No Content-Security-Policy
// violation may happen in any page the whole time (securitypolicyviolation events and console).
// A screenshot of the three-person meeting is saved (path printed). Then the same join over
// --tls-self-signed HTTPS/WSS, whose certificate the embedded TURN server serves too.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const tls = require('node:tls');
const { ROOT, startServer, launchChromium } = require('./harness');
const { writeToneWav, installSpectrum, assertEachHearsTheOthers, waitFor } = require('./chime_media');

const FREQS = [440, 700, 1100];
const NAMES = ['Ada', 'Bo', 'Cy'];
let server;
let dir;
const browsers = [];
const pages = [];
const violations = [];  // [page name, text]

// Fake screen capture in headless Chromium: getDisplayMedia picks "Entire screen" by itself.
// lan.test: a name for loopback that is not loopback to the browser (no secure context on http).
const CHROMIUM_ARGS = ['--auto-select-desktop-capture-source=Entire screen', '--host-resolver-rules=MAP lan.test 127.0.0.1'];

// Records CSP violations of a page: the DOM event (from the first script on) and console text.
async function watchCsp(page, who) {
  await page.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  page.on('console', (m) => {
    if (/Content.Security.Policy|Refused to/i.test(m.text())) violations.push([who, m.text()]);
  });
  page.on('pageerror', (e) => process.stderr.write(`[pageerror ${who}] ${e.message}\n`));
}

async function assertNoCspViolations(list) {
  for (const [who, page] of list) {
    const events = await page.evaluate(() => window.cspViolations);
    assert.deepStrictEqual(events, [], `${who}: securitypolicyviolation events`);
  }
  assert.deepStrictEqual(violations, [], 'CSP messages in the console');
}

// Lobby -> meeting, as a person does it.
async function joinFromLobby(page, name, meeting) {
  if (meeting !== undefined) await page.fill('#meeting-name', meeting);
  await page.fill('#your-name', name);
  await page.click('#join-button');
  await waitFor(page, () => document.getElementById('quality-text').textContent === 'Connected', `${name} connected`, 30000);
}

// In the page: the remote people's tiles with their decoding state.
function remoteTiles() {
  return [...document.querySelectorAll('#grid .tile.person:not(.local)')].map((t) => {
    const v = t.querySelector('video');
    return { name: t.dataset.name, width: v ? v.videoWidth : 0, frames: v ? v.getVideoPlaybackQuality().totalVideoFrames : 0 };
  });
}

function contentTiles() {
  return [...document.querySelectorAll('#grid .tile.content')].map((t) => {
    const v = t.querySelector('video');
    return { label: t.querySelector('.name').textContent, width: v ? v.videoWidth : 0, frames: v ? v.getVideoPlaybackQuality().totalVideoFrames : 0 };
  });
}

const roster = () => [...document.querySelectorAll('#roster li')].map((li) => ({ name: li.dataset.name, muted: li.dataset.muted === 'true' }));

// Waits until `probe` (in the page) lists an entry passing `ok` for each of `names`, then checks
// their frame counts still advance a second later.
async function assertDecoding(page, who, probe, names, key = 'name') {
  const deadline = Date.now() + 40000;
  let last;
  for (;;) {
    last = await page.evaluate(probe);
    if (names.every((n) => last.some((t) => t[key] === n && t.width > 0 && t.frames > 10))) break;
    if (Date.now() > deadline) assert.fail(`${who}: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  await new Promise((r) => setTimeout(r, 1000));
  const later = await page.evaluate(probe);
  for (const n of names) {
    const a = last.find((t) => t[key] === n);
    const b = later.find((t) => t[key] === n);
    assert.ok(b && b.frames > a.frames, `${who}: ${n} advances (${a.frames} -> ${b && b.frames})`);
  }
  return later;
}

function screenshotPath(name) {
  const build = path.join(ROOT, 'build');
  return path.join(fs.existsSync(build) ? build : os.tmpdir(), name);
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sfu-app-'));
  server = await startServer(['--log-level', process.env.SFU_TEST_LOG_LEVEL || 'warn']);
  for (let i = 0; i < FREQS.length; i += 1) {
    const wav = path.join(dir, `tone${FREQS[i]}.wav`);
    writeToneWav(wav, FREQS[i]);
    browsers.push(await launchChromium([`--use-file-for-fake-audio-capture=${wav}`, ...CHROMIUM_ARGS]));
    const page = await (await browsers[i].newContext({ viewport: { width: 1280, height: 720 } })).newPage();
    await watchCsp(page, NAMES[i]);
    pages.push(page);
  }
}, { timeout: 60000 });

after(async () => {
  for (const b of browsers) await b.close().catch(() => {});
  if (server) await server.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('three people meet by name: tiles, tones, chat, mute, screen share, leave; no CSP violation', { timeout: 150000 }, async () => {
  const t0 = Date.now();
  const step = (what) => console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s: ${what}`);
  const [ada, bo, cy] = pages;
  await ada.goto(`${server.url}/`);
  await joinFromLobby(ada, 'Ada', 'Design Review');
  assert.strictEqual(new URL(ada.url()).pathname, '/design-review', 'the address bar holds the meeting link');
  for (const [page, name] of [[bo, 'Bo'], [cy, 'Cy']]) {
    await page.goto(`${server.url}/design-review`);
    assert.strictEqual(await page.inputValue('#meeting-name'), 'design-review', 'the link fills the meeting name');
    await joinFromLobby(page, name);
  }
  step('three joined');

  for (let i = 0; i < 3; i += 1) {
    const others = NAMES.filter((_, k) => k !== i);
    const tiles = await assertDecoding(pages[i], NAMES[i], remoteTiles, others);
    console.log(`${NAMES[i]} sees ${tiles.map((t) => `${t.name} ${t.width}px ${t.frames} frames`).join(', ')}`);
    await waitFor(pages[i], (n) => document.querySelectorAll('#roster li').length === n, `${NAMES[i]}: roster of 3`, 10000, 3);
    assert.deepStrictEqual((await pages[i].evaluate(roster)).map((r) => r.name).sort(), [...NAMES].sort());
  }
  step('each sees two named remote tiles decoding');

  // Original sound (Devices dialog) so the tones pass unprocessed, then listen.
  for (const page of pages) {
    await page.click('#btn-settings');
    await page.check('#original-sound');
    await page.click('#settings button[value="close"]');
    await installSpectrum(page);
  }
  await new Promise((r) => setTimeout(r, 2000));
  await assertEachHearsTheOthers(pages, FREQS, 3000, 'meeting-audio');
  step('each hears the two other tones and not its own');

  await bo.click('#btn-chat');
  await bo.fill('#chat-input', 'Slides are up, have a look');
  await bo.press('#chat-input', 'Enter');
  for (const page of [ada, cy]) {
    await waitFor(page, () => [...document.querySelectorAll('#chat-log .chat-msg')].some((li) =>
      li.querySelector('.from').textContent === 'Bo' && li.querySelector('.text').textContent === 'Slides are up, have a look'), 'the chat message', 10000);
    assert.strictEqual(await page.isHidden('#chat-badge'), false, 'an unread-message badge');
  }
  step('chat seen');

  await cy.click('#btn-mic');
  for (const page of [ada, bo]) {
    await waitFor(page, () => [...document.querySelectorAll('#roster li')].some((li) => li.dataset.name === 'Cy' && li.dataset.muted === 'true'), 'Cy muted in the roster', 10000);
  }
  assert.strictEqual(await cy.getAttribute('#btn-mic', 'aria-pressed'), 'true');
  step('mute seen');
  await waitFor(bo, () => document.querySelector('#grid .tile[data-name="Cy"]').classList.contains('muted'), 'Cy muted on the tile', 5000);
  const shot = screenshotPath('meeting-app-3-people.png');
  await bo.screenshot({ path: shot });
  console.log(`screenshot of the three-person meeting (Bo's view, chat open, Cy muted): ${shot}`);

  await ada.click('#btn-share');
  for (const [page, who] of [[bo, 'Bo'], [cy, 'Cy']]) {
    const c = await assertDecoding(page, who, contentTiles, ['Ada (screen)'], 'label');
    console.log(`${who} sees the screen share: ${c.map((t) => `${t.label} ${t.width}px`).join(', ')}`);
    // The cameras stay while the screen is shared.
    await assertDecoding(page, who, remoteTiles, NAMES.filter((n) => n !== who));
  }
  await bo.screenshot({ path: screenshotPath('meeting-app-screen-share.png') });
  await ada.click('#btn-share');
  await waitFor(bo, () => !document.querySelector('#grid .tile.content'), 'the share ends', 15000);
  step('screen share seen and stopped');

  for (let i = 0; i < 3; i += 1) {
    await pages[i].click('#btn-leave');
    await waitFor(pages[i], () => !document.getElementById('ended').hidden, `${NAMES[i]} left`, 10000);
    assert.strictEqual(await pages[i].textContent('#ended-title'), 'You left the meeting');
    for (const other of pages.slice(i + 1)) {
      await waitFor(other, (n) => document.querySelectorAll('#roster li').length === n, 'the roster shrinks', 10000, 2 - i);
    }
  }
  step('all left');
  await assertNoCspViolations(NAMES.map((n, i) => [n, pages[i]]));
});

test('plain http on a LAN name: the page says cameras need https and how to get it', { timeout: 30000 }, async () => {
  const page = await (await browsers[0].newContext()).newPage();
  await page.goto(`http://lan.test:${server.port}/standup`);
  await page.waitForSelector('#insecure', { state: 'visible' });
  assert.strictEqual(await page.textContent('#secure-url'), `https://lan.test:${server.port}/standup`);
  assert.match(await page.textContent('#insecure'), /--tls-self-signed/);
  assert.strictEqual(await page.isDisabled('#join-button'), true);
  await page.context().close();
});

test('the same join over --tls-self-signed HTTPS/WSS; TURN serves the same certificate', { timeout: 90000 }, async () => {
  const tlsServer = await startServer(['--tls-self-signed', '--log-level', 'info'], { tls: true });
  const context = await browsers[0].newContext({ ignoreHTTPSErrors: true, viewport: { width: 900, height: 600 } });
  try {
    const cert = path.join(tlsServer.dataDir, 'tls-self-signed.crt');
    assert.ok(fs.existsSync(cert), 'the certificate is in the data dir');
    assert.strictEqual(fs.statSync(path.join(tlsServer.dataDir, 'tls-self-signed.key')).mode & 0o777, 0o600);
    const x509 = new crypto.X509Certificate(fs.readFileSync(cert));
    assert.match(x509.subjectAltName, /IP Address:127\.0\.0\.1/);
    assert.match(x509.subjectAltName, /DNS:localhost/);
    assert.match(x509.subjectAltName, new RegExp(`DNS:${os.hostname()}`));
    // TURN over TLS answers with the same certificate.
    const turnPort = Number(/turn tcp\+tls ports? (\d+)/.exec(tlsServer.output())[1]);
    const turnCert = await new Promise((resolve, reject) => {
      const s = tls.connect({ host: '127.0.0.1', port: turnPort, rejectUnauthorized: false }, () => {
        resolve(s.getPeerX509Certificate());
        s.end();
      });
      s.on('error', reject);
    });
    assert.strictEqual(turnCert.fingerprint256, x509.fingerprint256, 'TURN uses --tls-self-signed');

    const two = [await context.newPage(), await context.newPage()];
    const joins = [];
    for (let i = 0; i < 2; i += 1) {
      await watchCsp(two[i], `tls ${NAMES[i]}`);
      two[i].on('response', async (r) => { if (r.url().endsWith('/app/join')) joins.push(await r.json()); });
      await two[i].goto(`${tlsServer.url}/lan-trial`);
      assert.strictEqual(await two[i].evaluate(() => window.isSecureContext && location.protocol), 'https:');
      await joinFromLobby(two[i], NAMES[i]);
    }
    for (const j of joins) assert.match(j.Meeting.MediaPlacement.SignalingUrl, /^wss:\/\/127\.0\.0\.1:\d+\/control\//);
    await assertDecoding(two[0], 'tls Ada', remoteTiles, ['Bo']);
    await assertDecoding(two[1], 'tls Bo', remoteTiles, ['Ada']);
    // Leave and Rejoin (a new attendee in the same meeting), then chat both ways: each message
    // arrives once (the rejoined page must not have doubled its handlers).
    await two[1].click('#btn-leave');
    await two[1].waitForSelector('#ended', { state: 'visible' });
    await two[1].click('#rejoin');
    await waitFor(two[1], () => document.getElementById('quality-text').textContent === 'Connected', 'Bo rejoined', 30000);
    await waitFor(two[0], () => document.querySelectorAll('#roster li').length === 2, 'Ada sees Bo back', 15000);
    const say = async (from, to, text) => {
      await from.fill('#chat-input', text);
      await from.press('#chat-input', 'Enter');
      await waitFor(to, (t) => [...document.querySelectorAll('#chat-log .chat-msg .text')].some((e) => e.textContent === t), `"${text}" arrives`, 10000, text);
      await new Promise((r) => setTimeout(r, 500));
      const count = (page) => page.evaluate((t) => [...document.querySelectorAll('#chat-log .chat-msg .text')].filter((e) => e.textContent === t).length, text);
      assert.strictEqual(await count(to), 1, `"${text}" arrives once`);
      assert.strictEqual(await count(from), 1, `"${text}" shows once for its sender`);
    };
    for (const page of two) await page.click('#btn-chat');
    await say(two[0], two[1], 'welcome back');
    await say(two[1], two[0], 'thanks');
    await assertDecoding(two[0], 'tls Ada after the rejoin', remoteTiles, ['Bo']);
    await assertNoCspViolations([['tls Ada', two[0]], ['tls Bo', two[1]]]);
  } finally {
    await context.close();
    await tlsServer.stop();
  }
});
