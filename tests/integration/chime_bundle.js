// Bundles web/chime-entry.js (the npm amazon-chime-sdk-js) for the browser with esbuild, once per
// test process, and serves it with a blank page from 127.0.0.1 (a secure context for
// getUserMedia). The flags --main-fields=browser,module,main and
// --define:global=globalThis are required for the SDK to bundle and run.
'use strict';
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
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

const PAGE = '<!doctype html><html><body><audio id="audio" autoplay></audio><script src="/chime.js"></script></body></html>';

// Serves GET / (an empty page that loads the bundle) and GET /chime.js. Resolves {url, close}.
// options: host (default 127.0.0.1; any 127.0.0.0/8 address is a loopback, secure origin), port
// (default a free one), tls ({ cert, key } PEM: serve https).
async function servePage(bundlePath, { host = '127.0.0.1', port = 0, tls = null } = {}) {
  const bundle = fs.readFileSync(bundlePath);
  const handler = (req, res) => {
    if (req.url === '/chime.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript' });
      return res.end(bundle);
    }
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(PAGE);
  };
  const server = tls ? https.createServer({ cert: tls.cert, key: tls.key }, handler) : http.createServer(handler);
  await new Promise((resolve, reject) => { server.once('error', reject); server.listen(port, host, resolve); });
  const scheme = tls ? 'https' : 'http';
  const shown = server.address().port === (tls ? 443 : 80) ? '' : `:${server.address().port}`;
  return {
    url: `${scheme}://${host}${shown}/`,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
  };
}

module.exports = { buildBundle, servePage };
