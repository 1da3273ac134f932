// Proof of tests/integration/netns.js, the test's own network namespace with UDP dropped ('udp')
// or UDP and every TCP port but one or two dropped ('all-but-tcp-port', with allowTcpPort or
// allowTcpPorts).
//
// This file is two things. Run plainly (ctest), it is the driver, in the host's namespace and
// using no network: it runs itself again through `node --test` once per mode (SFU_NETNS_PROOF_MODE),
// and each such run puts itself in a namespace of its own with runInNetns(); the driver checks
// that the inner tests ran and passed, and that the namespace is gone afterwards. It also checks
// that a failing inner test fails the run and still removes the namespace, that SIGTERM to the
// outer process removes it and the processes in it, and that a namespace whose creator was
// SIGKILLed is removed by the next run.
// Run with SFU_NETNS_PROOF_MODE set, it is the inner test: inside the namespace, UDP on loopback
// does not arrive, TCP to the allowed port(s) connects and (only-TLS modes) TCP to another port
// does not, sfu-server answers on the allowed port, and Chromium launches and loads a page from a
// node HTTP server on the allowed port (and, with two open ports, fetches from the second one).
// Proof modes: 'udp', 'all-but-tcp-port' (port 443 open) and 'all-but-tcp-ports' (443 and 5349
// open, netns mode 'all-but-tcp-port' with allowTcpPorts).
//
// Needs root, iproute2 and nftables (scripts/setup.sh); without them it fails and says so.
'use strict';
const netns = require('./netns');

const MODE = process.env.SFU_NETNS_PROOF_MODE;
const ALLOWED = 443;
const ALLOWED2 = 5349;  // the second open port of mode 'all-but-tcp-ports'
const NETNS_OPTIONS = {
  udp: { block: 'udp' },
  'all-but-tcp-port': { block: 'all-but-tcp-port', allowTcpPort: ALLOWED },
  'all-but-tcp-ports': { block: 'all-but-tcp-port', allowTcpPorts: [ALLOWED, ALLOWED2] },
}[MODE];
if (MODE && netns.runInNetns(__filename, NETNS_OPTIONS || { block: MODE })) {
  return;  // the run inside the namespace reports the tests
}

const { test } = require('node:test');
const assert = require('node:assert');
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');

if (!MODE) {
  // --- Driver: the host's namespace --------------------------------------------------------

  // Runs this file again with env; `runner` runs it through `node --test` (as ctest does),
  // otherwise plainly (the process is then the outer one, which signals reach directly).
  function runSelf(env, { runner = true } = {}) {
    const childEnv = { ...process.env, ...env };
    delete childEnv.NODE_TEST_CONTEXT;  // ours says "child of a test runner"; the sub-run is not
    const args = runner ? ['--test', '--test-reporter=tap', __filename] : [__filename];
    const child = spawn(process.execPath, args, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const waiters = [];
    const onData = (d) => {
      out += d;
      for (const w of [...waiters]) {
        const m = out.match(w.re);
        if (m) { waiters.splice(waiters.indexOf(w), 1); w.resolve(m); }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    // 'exit': the process ended; 'close': so did its output (the test inside holds it too).
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const done = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, out })));
    const waitFor = (re, ms = 60000) => new Promise((resolve, reject) => {
      const m = out.match(re);
      if (m) return resolve(m);
      const w = { re, resolve };
      waiters.push(w);
      setTimeout(() => reject(new Error(`no ${re} within ${ms} ms in:\n${out}`)), ms).unref();
      done.then(() => setTimeout(() => reject(new Error(`exited without ${re}:\n${out}`)), 100).unref());
    });
    return { child, exited, done, waitFor, output: () => out };
  }

  const namespaces = () => execFileSync(netns.bin('ip'), ['netns', 'list'], { encoding: 'utf8' });
  const exists = (name) => fs.existsSync(`/run/netns/${name}`) || namespaces().split('\n').some((l) => l.split(' ')[0] === name);
  const alive = netns.processAlive;
  const createdName = (out) => {
    const m = out.match(/\[netns\] created (sfu-t-\d+-[0-9a-f]+)/);
    assert.ok(m, `the run names the namespace it created:\n${out}`);
    return m[1];
  };

  test('prerequisites: root, ip (iproute2) and nft (nftables)', () => {
    netns._internal.preflight();  // throws with what is missing
  });

  for (const [mode, tests] of [['udp', 5], ['all-but-tcp-port', 5], ['all-but-tcp-ports', 5]]) {
    test(`mode ${mode}: the inner tests pass inside a namespace that is gone afterwards`, { timeout: 120000 }, async () => {
      const { code, out } = await runSelf({ SFU_NETNS_PROOF_MODE: mode }).done;
      const name = createdName(out);
      for (const line of out.split('\n')) if (/\[netns\]|# (pass|fail|tests)|chromium|\[proof\]/.test(line)) console.log(`  ${line.trim()}`);
      assert.strictEqual(code, 0, `the run inside ${name} passed:\n${out}`);
      const pass = Number((out.match(/^# pass (\d+)/m) || [])[1]);
      assert.strictEqual(pass, tests, `all ${tests} inner tests ran and passed (not 0):\n${out}`);
      assert.match(out, new RegExp(`\\[netns\\] removed ${name} in`));
      assert.ok(!exists(name), `${name} no longer exists: ${namespaces()}`);
    });
  }

  test('a failing test inside fails the run, and the namespace is still removed', { timeout: 120000 }, async () => {
    const { code, out } = await runSelf({ SFU_NETNS_PROOF_MODE: 'udp', SFU_NETNS_PROOF_FAIL: '1' }).done;
    const name = createdName(out);
    assert.notStrictEqual(code, 0, `the run failed:\n${out}`);
    assert.match(out, /deliberate failure inside the namespace/);
    assert.ok(!exists(name), `${name} no longer exists: ${namespaces()}`);
  });

  test('SIGTERM to the outer process ends the test inside, kills what it left there and removes the namespace', { timeout: 60000 }, async () => {
    const run = runSelf({ SFU_NETNS_PROOF_MODE: 'all-but-tcp-port', SFU_NETNS_PROOF_HANG: '1' }, { runner: false });
    const [, inner, leftover] = (await run.waitFor(/\[proof\] waiting: inner (\d+), leftover (\d+)/)).map(Number);
    const name = createdName(run.output());
    assert.ok(exists(name) && alive(inner) && alive(leftover));
    run.child.kill('SIGTERM');
    const { code, signal, out } = await run.done;
    assert.strictEqual(code, 128 + os.constants.signals.SIGTERM, `exit status of a test ended by SIGTERM (${signal}):\n${out}`);
    assert.match(out, new RegExp(`killed what the test left in ${name}: ${leftover} `));
    assert.ok(!alive(inner), 'the inner test process is gone');
    assert.ok(!alive(leftover), 'the process it left in the namespace is gone');
    assert.ok(!exists(name), `${name} no longer exists: ${namespaces()}`);
  });

  test('a namespace whose creator was SIGKILLed is removed, with its processes, by the next run', { timeout: 60000 }, async () => {
    const run = runSelf({ SFU_NETNS_PROOF_MODE: 'udp', SFU_NETNS_PROOF_HANG: '1' }, { runner: false });
    const [, inner, leftover] = (await run.waitFor(/\[proof\] waiting: inner (\d+), leftover (\d+)/)).map(Number);
    const name = createdName(run.output());
    run.child.kill('SIGKILL');
    await run.exited;
    assert.ok(exists(name) && alive(inner) && alive(leftover), 'no cleanup is possible after SIGKILL: the namespace and the processes in it remain');
    netns._internal.sweepStale();  // what the next runInNetns() does first
    assert.ok(!exists(name), `${name} no longer exists: ${namespaces()}`);
    assert.ok(!alive(inner) && !alive(leftover), 'the orphaned processes in it are gone');
    await run.done;
  });
} else if (process.env.SFU_NETNS_PROOF_HANG) {
  // --- Inside, for the signal tests: leave a process behind and wait --------------------------
  test('waits to be signalled', async () => {
    const leftover = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
    leftover.unref();
    process.stderr.write(`[proof] waiting: inner ${process.pid}, leftover ${leftover.pid}\n`);
    await new Promise((resolve) => setTimeout(resolve, 600000));
  });
} else {
  // --- Inside the namespace ----------------------------------------------------------------
  const { startServer } = require('./helpers');
  const { launchChromium } = require('./harness');
  const cur = netns.current();
  const tlsOnly = cur.block === 'all-but-tcp-port';
  const twoPorts = MODE === 'all-but-tcp-ports';

  test('this process is in the namespace made for it: only a loopback interface, the rules in the input hook', () => {
    netns.assertInside();
    assert.notStrictEqual(fs.statSync('/proc/self/ns/net').ino, fs.statSync(`/proc/${process.ppid}/ns/net`).ino,
      'the outer process is in another namespace');
    assert.deepStrictEqual(Object.keys(os.networkInterfaces()), ['lo']);
    const rules = execFileSync(netns.bin('nft'), ['list', 'ruleset'], { encoding: 'utf8' });
    assert.match(rules, /hook input/);
    assert.match(rules, tlsOnly ? /meta l4proto \{ tcp, udp \} counter packets \d+ bytes \d+ drop/ : /meta l4proto udp counter packets \d+ bytes \d+ drop/);
    if (process.env.SFU_NETNS_PROOF_FAIL) assert.fail('deliberate failure inside the namespace');
  });

  test('UDP to a socket on 127.0.0.1 and on ::1 does not arrive; the drop rule counts it', async () => {
    await netns.assertUdpBlocked();
  });

  const opened = twoPorts ? `ports ${ALLOWED} and ${ALLOWED2}` : `port ${ALLOWED}`;
  test(tlsOnly ? `TCP to ${opened} connects, TCP to another port goes unanswered` : 'TCP connects', async () => {
    const p = await netns.assertRulesInForce();
    console.log(`[proof] probe: ${JSON.stringify(p)}`);
    assert.strictEqual(p.udp4, false);
    assert.strictEqual(p.tcpAllowed, 'connected');
    if (tlsOnly) {
      assert.strictEqual(p.tcpAllowedPort, ALLOWED);
      assert.deepStrictEqual(cur.allowTcpPorts, twoPorts ? [ALLOWED, ALLOWED2] : [ALLOWED]);
      assert.deepStrictEqual(p.tcpAllowedAll, Object.fromEntries(cur.allowTcpPorts.map((port) => [port, 'connected'])));
      const rules = execFileSync(netns.bin('nft'), ['list', 'ruleset'], { encoding: 'utf8' });
      assert.match(rules, twoPorts ? new RegExp(`tcp dport \\{ ${ALLOWED}, ${ALLOWED2} \\} counter`) : new RegExp(`tcp dport ${ALLOWED} counter`));
    }
    assert.strictEqual(p.tcpOther, tlsOnly ? 'timeout' : 'connected');
  });

  test(`sfu-server runs inside and answers /healthz on ${tlsOnly ? `port ${ALLOWED}` : 'its port'}`, async () => {
    const server = await startServer(tlsOnly ? { port: ALLOWED } : {});
    try {
      const r = await fetch(`${server.url}/healthz`);
      assert.strictEqual(r.status, 200);
    } finally {
      await server.stop();
    }
  });

  test('Chromium launches inside and loads a page from a node HTTP server on the allowed port', { timeout: 60000 }, async () => {
    const web = http.createServer((req, res) => {
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.end('<!doctype html><title>netns</title><p id="p">inside the namespace</p>');
    });
    const other = http.createServer((req, res) => { res.setHeader('Access-Control-Allow-Origin', '*'); res.end('other'); });
    const second = http.createServer((req, res) => { res.setHeader('Access-Control-Allow-Origin', '*'); res.end('second'); });
    await new Promise((resolve) => web.listen(tlsOnly ? ALLOWED : 0, '127.0.0.1', resolve));
    await new Promise((resolve) => other.listen(0, '127.0.0.1', resolve));
    await new Promise((resolve) => second.listen(twoPorts ? ALLOWED2 : 0, '127.0.0.1', resolve));
    let browser;
    try {
      const t0 = Date.now();
      browser = await launchChromium();
      const launchMs = Date.now() - t0;
      const page = await (await browser.newContext()).newPage();
      await page.goto(`http://127.0.0.1:${web.address().port}/`);
      assert.strictEqual(await page.textContent('#p'), 'inside the namespace');
      // The page's own fetch to another TCP port: blocked in the only-TLS namespace.
      const otherResult = await page.evaluate((url) => fetch(url, { signal: AbortSignal.timeout(1500) })
        .then((r) => r.text(), (e) => `error ${e.name}`), `http://127.0.0.1:${other.address().port}/`);
      // And to the second open port (mode 'all-but-tcp-ports'; elsewhere a free port, as open as any).
      const secondResult = await page.evaluate((url) => fetch(url, { signal: AbortSignal.timeout(1500) })
        .then((r) => r.text(), (e) => `error ${e.name}`), `http://127.0.0.1:${second.address().port}/`);
      console.log(`[proof] chromium ${browser.version()} launched in ${launchMs} ms; fetch to another port: ${otherResult}; ` +
        `to ${second.address().port}: ${secondResult}`);
      assert.strictEqual(otherResult, tlsOnly ? 'error TimeoutError' : 'other');
      assert.strictEqual(secondResult, tlsOnly && !twoPorts ? 'error TimeoutError' : 'second');
    } finally {
      if (browser) await browser.close();
      web.close();
      other.close();
      second.close();
    }
  });
}
