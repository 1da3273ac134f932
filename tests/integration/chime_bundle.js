// Bundles web/chime-entry.js (the npm amazon-chime-sdk-js) for the browser with esbuild, once per
// test process, and serves it with a blank page from 127.0.0.1 (a secure context for
// getUserMedia). The flags --main-fields=browser,module,main and
// --define:global=globalThis are required for the SDK to bundle and run.
'use strict';
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { ROOT, requireWeb } = require('./harness');

async function buildBundle() {
  const esbuild = requireWeb('esbuild');
  const outfile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sfu-chime-')), 'chime.js');
  await esbuild.build({
    entryPoints: [path.join(ROOT, 'web/chime-entry.js')],
    bundle: true,
    platform: 'browser',
    mainFields: ['browser', 'module', 'main'],
    define: { global: 'globalThis' },
    format: 'iife',
    target: 'chrome110',
    outfile,
    logLevel: 'error',
    nodePaths: [path.join(ROOT, 'web/node_modules')],
  });
  return outfile;
}

// Serves GET / (an empty page that loads the bundle) and GET /chime.js. Resolves {url, close}.
async function servePage(bundlePath) {
  const bundle = fs.readFileSync(bundlePath);
  const server = http.createServer((req, res) => {
    if (req.url === '/chime.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript' });
      return res.end(bundle);
    }
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<!doctype html><html><body><audio id="audio" autoplay></audio><script src="/chime.js"></script></body></html>');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((r) => server.close(r)) };
}

module.exports = { buildBundle, servePage };
