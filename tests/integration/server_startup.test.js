// Startup errors of the real binary: a corrupt store, bad flags, --help. (Restart durability and
// expiry are in restart.test.js.)
'use strict';
const { test } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { SERVER_BIN } = require('./harness');

function tempDir() { return fs.mkdtempSync(path.join(os.tmpdir(), 'sfu-restart-')); }

test('a corrupt store and bad flags are clear startup errors (exit 2)', () => {
  const dataDir = tempDir();
  fs.writeFileSync(path.join(dataDir, 'sfu.db'), Buffer.alloc(8192, 'x'));
  const r = spawnSync(SERVER_BIN, ['--data-dir', dataDir, '--listen', '127.0.0.1:0', '--media-port', '0'], { encoding: 'utf8', timeout: 10000 });
  assert.strictEqual(r.status, 2);
  assert.match(r.stderr, /cannot open the store/);
  assert.strictEqual(fs.statSync(path.join(dataDir, 'sfu.db')).size, 8192, 'file left as it was');
  fs.rmSync(dataDir, { recursive: true, force: true });
  const bad = spawnSync(SERVER_BIN, ['--listen', 'nonsense'], { encoding: 'utf8', timeout: 10000 });
  assert.strictEqual(bad.status, 2);
  assert.match(bad.stderr, /--listen/);
  const help = spawnSync(SERVER_BIN, ['--help'], { encoding: 'utf8', timeout: 10000 });
  assert.strictEqual(help.status, 0);
  assert.match(help.stdout, /--announce-ip/);
});
