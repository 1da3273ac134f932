// Real Chromium against POST /echo: a peer connection with a microphone track, a camera track
// and a data channel; the server answers ICE-lite/DTLS-passive and echoes RTP back on the same
// transport. Asserts ICE + DTLS connected (and which DTLS version / SRTP cipher), its own audio
// and video come back (inbound bytes rising, frames decoded), and a data-channel message comes
// back unchanged (SCTP over DTLS).
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert');
const { startServer, launchChromium } = require('./harness');

let server;
let browser;

before(async () => {
  server = await startServer(['--shards', '2', '--echo-endpoint']);
  browser = await launchChromium();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

// Runs in the page: offer -> POST /echo -> answer; then samples stats until media flows back.
async function runEcho({ withDataChannel }) {
  const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } });
  for (const track of stream.getTracks()) pc.addTrack(track, stream);
  let dc = null;
  const dcEcho = new Promise((resolve) => {
    if (!withDataChannel) return resolve(null);
    dc = pc.createDataChannel('echo');
    dc.onopen = () => dc.send('hello from chromium');
    dc.onmessage = (e) => resolve(e.data);
  });
  const remote = [];
  pc.ontrack = (e) => remote.push(e.track.kind);
  await pc.setLocalDescription(await pc.createOffer());
  // Wait for ICE gathering so the offer carries candidates (we do not trickle).
  await new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
    setTimeout(resolve, 3000);
  });
  const resp = await fetch('/echo', { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription.sdp });
  const answer = await resp.text();
  if (resp.status !== 201) return { error: `POST /echo -> ${resp.status}: ${answer}` };
  await pc.setRemoteDescription({ type: 'answer', sdp: answer });

  const deadline = Date.now() + 20000;
  let last = null;
  const samples = [];
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    const s = { audioBytes: 0, videoBytes: 0, framesDecoded: 0, dtlsState: '', tlsVersion: '', srtpCipher: '', iceState: pc.iceConnectionState, selectedPair: '' };
    (await pc.getStats()).forEach((r) => {
      if (r.type === 'inbound-rtp' && r.kind === 'audio') s.audioBytes += r.bytesReceived || 0;
      if (r.type === 'inbound-rtp' && r.kind === 'video') { s.videoBytes += r.bytesReceived || 0; s.framesDecoded += r.framesDecoded || 0; }
      if (r.type === 'transport') { s.dtlsState = r.dtlsState; s.tlsVersion = r.tlsVersion; s.srtpCipher = r.srtpCipher; s.dtlsRole = r.dtlsRole; }
    });
    samples.push(s);
    last = s;
    if (s.framesDecoded > 30 && s.audioBytes > 2000 && samples.length > 3) break;
  }
  const dcMessage = withDataChannel ? await Promise.race([dcEcho, new Promise((r) => setTimeout(() => r(null), 5000))]) : null;
  pc.close();
  stream.getTracks().forEach((t) => t.stop());
  return { last, samples, remote, answer, dcMessage };
}

test('Chromium echo: ICE and DTLS connect, own audio, video and data-channel message come back', { timeout: 60000 }, async () => {
  const page = await browser.newPage();
  page.on('console', (m) => process.stderr.write(`[page] ${m.text()}\n`));
  await page.goto(`${server.url}/healthz`);
  const r = await page.evaluate(runEcho, { withDataChannel: true });
  await page.close();
  assert.ok(!r.error, r.error);
  const s = r.last;
  assert.strictEqual(s.iceState === 'connected' || s.iceState === 'completed', true, `ICE state ${s.iceState}`);
  assert.strictEqual(s.dtlsState, 'connected');
  assert.strictEqual(s.tlsVersion, 'FEFD', 'DTLS 1.2 (OpenSSL 3.0 speaks no 1.3)');
  assert.match(s.srtpCipher, /AEAD_AES_128_GCM|AES_CM_128_HMAC_SHA1_80/);
  console.log(`negotiated DTLS ${s.tlsVersion} role ${s.dtlsRole}, SRTP ${s.srtpCipher}`);
  // Media came back and kept coming (rising between the first and last samples).
  const first = r.samples.find((x) => x.audioBytes > 0) || r.samples[0];
  assert.ok(s.audioBytes > first.audioBytes, `audio bytes rising: ${first.audioBytes} -> ${s.audioBytes}`);
  assert.ok(s.videoBytes > 0, 'video bytes received');
  assert.ok(s.framesDecoded > 30, `video frames decoded: ${s.framesDecoded}`);
  assert.deepStrictEqual(r.remote.sort(), ['audio', 'video']);
  assert.strictEqual(r.dcMessage, 'hello from chromium', 'data-channel message echoed unchanged');
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  assert.match(metrics, /sfu_shard_dtls_handshakes_total\{shard="\d",result="ok"\} 1/);
  assert.match(metrics, /sfu_shard_sctp_messages_total\{shard="\d",direction="out"\} 1/);
});
