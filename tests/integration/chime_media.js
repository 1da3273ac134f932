// Shared pieces of the tests that run unmodified amazon-chime-sdk-js in real Chromium against
// sfu-server (chime_tones, chime_video, ice_tcp): fake-microphone tone files, the in-page join,
// spectrum and video-tile probes, and the "each hears the others and not itself" check.
//
// Functions marked "in the page" run in Chromium through page.evaluate(fn, arg): they must stay
// self-contained (no closure over this module).
'use strict';
const assert = require('node:assert');
const fs = require('node:fs');

// 48 kHz 16-bit mono PCM WAV, `seconds` long (Chromium loops it), sine at `hz`, 0.3 full scale:
// a fake microphone with --use-file-for-fake-audio-capture.
function writeToneWav(file, hz, seconds = 10) {
  const rate = 48000;
  const n = rate * seconds;
  const buf = Buffer.alloc(44 + n * 2);
  buf.write('RIFF', 0); buf.writeUInt32LE(36 + n * 2, 4); buf.write('WAVE', 8);
  buf.write('fmt ', 12); buf.writeUInt32LE(16, 16); buf.writeUInt16LE(1, 20); buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(rate, 24); buf.writeUInt32LE(rate * 2, 28); buf.writeUInt16LE(2, 32); buf.writeUInt16LE(16, 34);
  buf.write('data', 36); buf.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i += 1) buf.writeInt16LE(Math.round(Math.sin(2 * Math.PI * hz * i / rate) * 0.3 * 32767), 44 + i * 2);
  fs.writeFileSync(file, buf);
}

// Plain JSON to the server's API (no SigV4: the tests' servers accept unsigned requests).
async function api(server, method, p, body) {
  const r = await fetch(`${server.url}${p}`, { method, headers: { 'Content-Type': 'application/json' }, body: body && JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : null };
}

// In the page: the spectrum levels at `freqs` of a MediaStream, medians over `ms`. Installed as
// window.spectrumOf by installSpectrum(). Levels in dBFS (AnalyserNode.getFloatFrequencyData,
// fftSize 8192); floor: median of the spectrum between 200 Hz and 4 kHz away from the tones.
async function spectrumOf(stream, freqs, ms) {
  const ctx = new AudioContext();
  await ctx.resume();
  const src = ctx.createMediaStreamSource(stream);
  const an = ctx.createAnalyser();
  an.fftSize = 8192;
  an.smoothingTimeConstant = 0;
  src.connect(an);
  const bins = new Float32Array(an.frequencyBinCount);
  const binHz = ctx.sampleRate / an.fftSize;
  const samples = freqs.map(() => []);
  const floors = [];
  const median = (v) => { const s = [...v].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
  const start = performance.now();
  while (performance.now() - start < ms) {
    await new Promise((r) => setTimeout(r, 100));
    an.getFloatFrequencyData(bins);
    freqs.forEach((f, i) => {
      const b = Math.round(f / binHz);
      samples[i].push(Math.max(bins[b - 1], bins[b], bins[b + 1]));
    });
    const floor = [];
    for (let b = Math.round(200 / binHz); b < Math.round(4000 / binHz); b += 1) {
      if (freqs.some((f) => Math.abs(b * binHz - f) < 60)) continue;
      floor.push(bins[b]);
    }
    floors.push(median(floor));
  }
  src.disconnect();
  await ctx.close();
  return { levels: samples.map(median), floor: median(floors) };
}

async function installSpectrum(page) {
  await page.evaluate(`window.spectrumOf = ${spectrumOf.toString()}`);
}

// In the page: join with the SDK. Options:
//   meeting, attendee: { Meeting }, { Attendee } as CreateMeeting/CreateAttendee return them
//   rawMic:    ask for the microphone without voice processing (a steady tone is what noise
//              suppression removes); otherwise the SDK's defaults
//   camera:    turn the (fake) camera on and start the local tile
//   simulcast: rid low/mid/hi with the priority policy (which wants the app's preferences)
//   turnSchemes: keep only the JOIN_ACK TURN URIs of these schemes (e.g. ['turns']), through the
//              SDK's own MeetingSessionURLs.urlRewriterMulti, as an app may; default all of them
// Sets window.session and window.ev: started (audioVideoDidStart), reconnects, present (roster by
// attendee id), tiles (remote tiles by tile id, each bound to a <video id="tile-N">),
// videoSendUnavailable (videoSendDidBecomeUnavailable: the server answered view-only, 206),
// stopped (audioVideoDidStop's MeetingSessionStatusCode name).
async function joinMeeting({ meeting, attendee, rawMic = false, camera = false, simulcast = false, turnSchemes = null }) {
  const S = window.ChimeSDK;
  const logger = new S.ConsoleLogger('sdk', S.LogLevel.WARN);
  const config = new S.MeetingSessionConfiguration(meeting, attendee);
  if (turnSchemes) config.urls.urlRewriterMulti = (uri) => (turnSchemes.includes(uri.split(':')[0]) ? [uri] : []);
  let policy = null;
  if (simulcast) {
    config.enableSimulcastForUnifiedPlanChromiumBasedBrowsers = true;
    policy = new S.VideoPriorityBasedPolicy(logger);
    config.videoDownlinkBandwidthPolicy = policy;
  }
  const session = new S.DefaultMeetingSession(config, logger, new S.DefaultDeviceController(logger));
  const ev = { started: false, present: {}, reconnects: 0, tiles: {} };
  window.ev = ev;
  window.session = session;
  const av = session.audioVideo;
  av.addObserver({
    audioVideoDidStart: () => { ev.started = true; },
    audioVideoDidStop: (status) => { ev.stopped = S.MeetingSessionStatusCode[status.statusCode()]; },
    videoSendDidBecomeUnavailable: () => { ev.videoSendUnavailable = true; },
    audioVideoDidStartConnecting: (reconnecting) => { if (reconnecting) ev.reconnects += 1; },
    remoteVideoSourcesDidChange: (sources) => {
      if (!policy) return;
      const prefs = S.VideoPreferences.prepare();
      for (const src of sources) prefs.add(new S.VideoPreference(src.attendee.attendeeId, 1));
      policy.chooseRemoteVideoSources(prefs.build());
    },
    videoTileDidUpdate: (t) => {
      if (t.localTile || !t.boundAttendeeId || !t.tileId) return;
      let el = document.getElementById(`tile-${t.tileId}`);
      if (!el) {
        el = document.createElement('video');
        el.id = `tile-${t.tileId}`;
        el.muted = true;
        el.autoplay = true;
        el.playsInline = true;
        document.body.appendChild(el);
      }
      av.bindVideoElement(t.tileId, el);
      ev.tiles[t.tileId] = { attendee: t.boundAttendeeId, external: t.boundExternalUserId, content: !!t.isContent };
    },
  });
  av.realtimeSubscribeToAttendeeIdPresence((id, present) => { ev.present[id] = present; });
  const mics = await av.listAudioInputDevices();
  await av.startAudioInput(rawMic
    ? { deviceId: mics[0].deviceId, echoCancellation: false, noiseSuppression: false, autoGainControl: false }
    : mics[0].deviceId);
  await av.bindAudioElement(document.getElementById('audio'));
  if (camera) {
    const cams = await av.listVideoInputDevices();
    await av.startVideoInput(cams[0].deviceId);
  }
  av.start();
  if (camera) av.startLocalVideoTile();
}

// In the page: per remote tile, its attendee, size and decoded frames.
function tileStates() {
  return Object.entries(window.ev.tiles).map(([id, t]) => {
    const el = document.getElementById(`tile-${id}`);
    const q = el && el.getVideoPlaybackQuality ? el.getVideoPlaybackQuality() : { totalVideoFrames: 0 };
    return { id, attendee: t.attendee, content: t.content, width: el ? el.videoWidth : 0, height: el ? el.videoHeight : 0, frames: q.totalVideoFrames };
  });
}

// Polls fn in the page (every 200 ms) until it is truthy; throws after ms.
async function waitFor(page, fn, what, ms = 20000, arg = undefined) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await page.evaluate(fn, arg).catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// Inbound audio bytes so far on a page's peer connection (0 before there is one).
async function audioBytes(page) {
  return page.evaluate(async () => {
    const stats = await window.session.audioVideo.getRTCPeerConnectionStats();
    let bytes = 0;
    if (stats) stats.forEach((r) => { if (r.type === 'inbound-rtp' && r.kind === 'audio') bytes += r.bytesReceived; });
    return bytes;
  }).catch(() => 0);
}

// Waits until each page receives mixed audio on the stream bound to #audio.
async function waitForMixedAudio(pages, ms = 20000) {
  for (const p of pages) {
    await waitFor(p, async () => {
      const stats = await window.session.audioVideo.getRTCPeerConnectionStats();
      let bytes = 0;
      stats.forEach((r) => { if (r.type === 'inbound-rtp' && r.kind === 'audio') bytes += r.bytesReceived; });
      return bytes > 2000 && document.getElementById('audio').srcObject;
    }, 'mixed audio arriving', ms);
  }
}

// Every page (pages[i] plays freqs[i]) hears the other tones and not its own, measured over ms
// on the mixed stream bound to the <audio> element `audioId` (#audio in the test page; the
// meeting app's is #meeting-audio): another's tone at least 20 dB over the page's noise floor,
// its own at least 20 dB under the weakest of the others. Pages need installSpectrum().
async function assertEachHearsTheOthers(pages, freqs, ms = 3000, audioId = 'audio') {
  const results = await Promise.all(pages.map((p) => p.evaluate(
    ([f, t, id]) => window.spectrumOf(document.getElementById(id).srcObject, f, t), [freqs, ms, audioId])));
  results.forEach((r, i) => {
    console.log(`browser ${freqs[i]} Hz hears: ${freqs.map((f, k) => `${f} Hz ${r.levels[k].toFixed(1)} dB`).join(', ')}; floor ${r.floor.toFixed(1)} dB`);
  });
  results.forEach((r, i) => {
    const others = freqs.map((_, k) => k).filter((k) => k !== i);
    for (const k of others) {
      assert.ok(r.levels[k] - r.floor >= 20, `browser ${freqs[i]} Hz hears ${freqs[k]} Hz (${r.levels[k].toFixed(1)} dB, floor ${r.floor.toFixed(1)} dB)`);
    }
    const weakest = Math.min(...others.map((k) => r.levels[k]));
    assert.ok(weakest - r.levels[i] >= 20, `browser ${freqs[i]} Hz does not hear itself (${r.levels[i].toFixed(1)} dB vs others ≥ ${weakest.toFixed(1)} dB)`);
  });
  return results;
}

// Waits until page shows a decoding tile of attendeeId (non-zero size, more than minFrames
// decoded), then checks its frames keep advancing for a second. Returns the tile's last state.
async function assertTileDecodes(page, attendeeId, { ms = 30000, minFrames = 10, what = 'browser' } = {}) {
  const deadline = Date.now() + ms;
  let t;
  for (;;) {
    t = (await page.evaluate(tileStates)).find((x) => x.attendee === attendeeId);
    if (t && t.width > 0 && t.frames > minFrames) break;
    if (Date.now() > deadline) assert.fail(`${what}: no decoding tile of ${attendeeId}: ${JSON.stringify(await page.evaluate(tileStates))}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  await new Promise((r) => setTimeout(r, 1000));
  const later = (await page.evaluate(tileStates)).find((x) => x.attendee === attendeeId);
  assert.ok(later.frames > t.frames, `${what}: video of ${attendeeId} advances (${t.frames} -> ${later.frames})`);
  return later;
}

// In the page: the SDK peer connection's selected candidate pair (transport.selectedCandidatePairId)
// with its two candidates, every candidate pair (candidates, state, checks sent and answered) and
// every local candidate. A relay candidate also has relayProtocol (how Chromium reaches its TURN
// server: udp, tcp or tls) and url (the TURN URI it came from).
async function iceStats() {
  const stats = await window.session.audioVideo.getRTCPeerConnectionStats();
  if (!stats) return null;
  const byId = new Map();
  stats.forEach((r) => byId.set(r.id, r));
  const cand = (id) => {
    const c = byId.get(id);
    return c && { protocol: c.protocol, candidateType: c.candidateType, tcpType: c.tcpType, address: c.address, port: c.port,
      relayProtocol: c.relayProtocol, url: c.url };
  };
  let selected = null;
  stats.forEach((r) => { if (r.type === 'transport' && r.selectedCandidatePairId) selected = byId.get(r.selectedCandidatePairId); });
  const pairs = [];
  const locals = [];
  stats.forEach((r) => { if (r.type === 'local-candidate') locals.push(cand(r.id)); });
  stats.forEach((r) => {
    if (r.type !== 'candidate-pair') return;
    pairs.push({ local: cand(r.localCandidateId), remote: cand(r.remoteCandidateId), state: r.state, nominated: r.nominated,
      requestsSent: r.requestsSent, responsesReceived: r.responsesReceived, bytesSent: r.bytesSent, bytesReceived: r.bytesReceived });
  });
  return {
    selected: selected && { state: selected.state, nominated: selected.nominated, bytesSent: selected.bytesSent,
      bytesReceived: selected.bytesReceived, local: cand(selected.localCandidateId), remote: cand(selected.remoteCandidateId) },
    pairs,
    locals,
  };
}

// For BrowserContext.addInitScript: every RTCPeerConnection of the page records its
// icecandidateerror events (a TURN server it could not reach or that refused it: url, errorCode,
// errorText) in window.iceCandidateErrors.
function recordIceCandidateErrors() {
  const Native = window.RTCPeerConnection;
  window.iceCandidateErrors = [];
  function Recording(...args) {
    const pc = new Native(...args);
    pc.addEventListener('icecandidateerror', (e) => window.iceCandidateErrors.push({ url: e.url, errorCode: e.errorCode, errorText: e.errorText }));
    return pc;
  }
  Recording.prototype = Native.prototype;
  Object.setPrototypeOf(Recording, Native);
  window.RTCPeerConnection = Recording;
}

// Sum of a /metrics family's series whose labels include all of `labels` (absent: 0).
async function metricSum(server, name, labels = {}) {
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

module.exports = {
  writeToneWav, api, spectrumOf, installSpectrum, joinMeeting, tileStates, waitFor, audioBytes,
  waitForMixedAudio, assertEachHearsTheOthers, assertTileDecodes, iceStats, recordIceCandidateErrors, metricSum,
};
