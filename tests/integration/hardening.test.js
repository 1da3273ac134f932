// Hardening of the real binary (docs/SECURITY.md): what an unauthenticated client can make the
// server do through the echo endpoint, and what the store leaves readable on disk.
'use strict';
const { test } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { startServer, SERVER_BIN } = require('./harness');

const OFFER = [
  'v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'c=IN IP4 0.0.0.0', 'a=mid:0', 'a=sendrecv', 'a=rtcp-mux',
  'a=ice-ufrag:abcd', 'a=ice-pwd:abcdefghijklmnopqrstuvwx',
  'a=fingerprint:sha-256 ' + Array(32).fill('AB').join(':'), 'a=setup:actpass',
  'a=rtpmap:111 opus/48000/2', '',
].join('\r\n');

async function postOffer(url) {
  const r = await fetch(`${url}/echo`, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: OFFER });
  await r.text();
  return r.status;
}

test('POST /echo is off by default: no transport for an unauthenticated caller', async () => {
  const server = await startServer();
  try {
    assert.strictEqual(await postOffer(server.url), 404);
    const page = await fetch(`${server.url}/echo`);
    assert.strictEqual(page.status, 404);
    assert.match(await page.text(), /--echo-endpoint/);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.doesNotMatch(metrics, /sfu_shard_transports\{shard="\d+"\} [1-9]/);
  } finally { await server.stop(); }
});

test('with --echo-endpoint, offers are limited per address (burst 5, then 429)', async () => {
  const server = await startServer(['--echo-endpoint']);
  try {
    const statuses = [];
    for (let i = 0; i < 12; i++) statuses.push(await postOffer(server.url));
    assert.deepStrictEqual(statuses.slice(0, 5), [201, 201, 201, 201, 201], statuses.join(','));
    assert.ok(statuses.slice(5).filter((s) => s === 429).length >= 6, statuses.join(','));
  } finally { await server.stop(); }
});

test('the data dir is 0700 and the store 0600 (the join-token secret is inside)', async () => {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'sfu-perm-'));
  const dataDir = path.join(parent, 'data');
  const server = await startServer(['--data-dir', dataDir]);
  try {
    await fetch(`${server.url}/meetings`, { method: 'POST', body: '{}' });
    assert.strictEqual(fs.statSync(dataDir).mode & 0o777, 0o700);
    for (const f of ['sfu.db', 'sfu.db-wal']) {
      assert.strictEqual(fs.statSync(path.join(dataDir, f)).mode & 0o777, 0o600, f);
    }
  } finally {
    await server.stop();
    fs.rmSync(parent, { recursive: true, force: true });
  }
});

test('a public URL that is not loopback needs --api-key (unsigned mode trusts loopback peers)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sfu-pub-'));
  const r = spawnSync(SERVER_BIN, ['--data-dir', dataDir, '--listen', '127.0.0.1:0', '--media-port', '0',
    '--public-url', 'https://media.example.com'], { encoding: 'utf8', timeout: 10000 });
  fs.rmSync(dataDir, { recursive: true, force: true });
  assert.strictEqual(r.status, 2);
  assert.match(r.stderr, /--api-key/);
  assert.match(r.stderr, /--unsafe-unsigned-api/);
});
