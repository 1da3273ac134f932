// Runs a test file inside a network namespace of its own, where nftables drops UDP ('udp': the
// "UDP blocked" network) or UDP and every TCP port but one or a few ('all-but-tcp-port': the
// "only TLS" network, e.g. HTTPS/WSS on 443 and TURN over TLS on 5349). Inside, the test runs as usual on the namespace's own loopback (sfu-server,
// Chromium, fetches); the host's network is never touched.
//
// Usage, at the top of a *.test.js file (CommonJS allows a top-level return):
//
//   const netns = require('./netns');
//   if (netns.runInNetns(__filename, { block: 'all-but-tcp-port', allowTcpPort: 443 })) return;
//   // or several open TCP ports: { block: 'all-but-tcp-port', allowTcpPorts: [443, 5349] }
//   // From here on the file runs inside the namespace: netns.current() describes it, and
//   // await netns.assertRulesInForce() proves the drops are there.
//
// Outside (the process ctest or `node --test` started), runInNetns() creates the namespace
// sfu-t-<pid>-<random> (`ip netns add`, `lo` up, the ruleset below), runs this same file again
// under `ip netns exec` with the same node options (stdout and stderr inherited, so `node --test`
// reads the inner run's results as its own), and returns true: the caller must return at once
// and register no test. When the inner run ends, the outer process kills whatever is left in the
// namespace (a Chromium that was not closed), deletes it, and exits with the inner run's status.
// SIGINT, SIGTERM and SIGHUP are passed on to the inner run, then the same cleanup follows. A
// namespace whose creator died without cleaning up (SIGKILL) is removed by the next run.
// Inside (the environment says SFU_NETNS and /proc/self/ns/net is that namespace) it returns
// false. Needs root and `ip` (iproute2) and `nft` (nftables), which scripts/setup.sh installs;
// without them it throws, so the test file fails with the reason (it never skips).
//
// The drops sit in the input hook only. On loopback every packet passes the output hook and then
// the input hook, so either one stops it, but a drop in output makes the sender's own sendto()
// fail with EPERM at once, which no firewall in a real network does; a drop in input is silent:
// UDP vanishes and a TCP SYN to a closed-off port goes unanswered (the connect times out).
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const dgram = require('node:dgram');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');

const PREFIX = 'sfu-t-';
const TABLE = 'sfutest';
const NETNS_DIR = '/run/netns';
// SFU_NETNS_ALLOW_TCP_PORT: the open TCP ports, comma-separated.
const ENV = { name: 'SFU_NETNS', block: 'SFU_NETNS_BLOCK', port: 'SFU_NETNS_ALLOW_TCP_PORT' };
const MODES = ['udp', 'all-but-tcp-port', 'none'];

const log = (msg) => process.stderr.write(`[netns] ${msg}\n`);

// The nftables ruleset of a mode ('none': the namespace with no rules, a control case).
// allowTcpPorts: a port number or a list of them (mode 'all-but-tcp-port').
// Two rules accept the allowed ports, not one `tcp sport != P tcp dport != P drop`: nft 1.0.6
// merges those two adjacent port matches into one 4-byte compare of sport:dport != P:P, which
// drops every connection to P as well (checked here with `nft --debug=netlink`).
function ruleset(block, allowTcpPorts) {
  const ports = [].concat(allowTcpPorts ?? []);
  const set = ports.length === 1 ? `${ports[0]}` : `{ ${ports.join(', ')} }`;
  const rules = {
    udp: ['meta l4proto udp counter drop'],
    'all-but-tcp-port': [`tcp dport ${set} counter accept`, `tcp sport ${set} counter accept`,
      'meta l4proto { tcp, udp } counter drop'],
    none: [],
  }[block];
  return [`table inet ${TABLE} {`, '  chain input {', '    type filter hook input priority filter; policy accept;',
    ...rules.map((r) => `    ${r}`), '  }', '}', ''].join('\n');
}

// { block, allowTcpPort, allowTcpPorts }: in mode 'all-but-tcp-port' allowTcpPorts lists the open
// ports (options.allowTcpPorts, or [options.allowTcpPort], or [443]) and allowTcpPort is the
// first of them; in the other modes both are null.
function normalize(options = {}) {
  const block = options.block;
  if (!MODES.includes(block)) throw new Error(`netns: block must be one of ${MODES.join(', ')} (got ${block})`);
  if (block !== 'all-but-tcp-port') return { block, allowTcpPort: null, allowTcpPorts: null };
  if (options.allowTcpPort !== undefined && options.allowTcpPorts !== undefined) {
    throw new Error('netns: give allowTcpPort or allowTcpPorts, not both');
  }
  const ports = options.allowTcpPorts ?? [options.allowTcpPort ?? 443];
  if (!Array.isArray(ports) || ports.length === 0) {
    throw new Error(`netns: allowTcpPorts must be a non-empty list of TCP ports (got ${JSON.stringify(ports)})`);
  }
  for (const p of ports) {
    if (!(Number.isInteger(p) && p > 0 && p < 65536)) throw new Error(`netns: ${JSON.stringify(p)} is not a TCP port number`);
  }
  if (new Set(ports).size !== ports.length) throw new Error(`netns: allowTcpPorts lists a port twice: ${ports.join(', ')}`);
  return { block, allowTcpPort: ports[0], allowTcpPorts: [...ports] };
}

// ip and nft live in /usr/sbin, which a root shell's PATH may lack (su without -).
const BIN = {};
function bin(cmd) {
  if (!BIN[cmd]) {
    const dirs = [...(process.env.PATH || '').split(':').filter(Boolean), '/usr/sbin', '/sbin'];
    BIN[cmd] = dirs.map((d) => `${d}/${cmd}`).find((f) => { try { fs.accessSync(f, fs.constants.X_OK); return true; } catch (_) { return false; } }) || cmd;
  }
  return BIN[cmd];
}

// Runs a command, returning its stdout; throws with its stderr.
function run(cmd, args, input) {
  try {
    return execFileSync(bin(cmd), args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e) {
    if (e.code === 'ENOENT') throw new Error(`netns: ${cmd} not found: run scripts/setup.sh (Debian packages iproute2 and nftables)`);
    throw new Error(`netns: \`${cmd} ${args.join(' ')}\` failed (${e.status ?? e.signal}): ${(e.stderr || e.message).trim()}`);
  }
}

function preflight() {
  if (os.platform() !== 'linux') throw new Error('netns: network namespaces need Linux');
  if (process.getuid() !== 0) {
    throw new Error('netns: this test makes its own network namespace and firewall rules, which needs root ' +
      `(running as uid ${process.getuid()}): run the tests as root`);
  }
  run('ip', ['-V']);
  run('nft', ['--version']);
}

// Process ids in a namespace ('' when it has none, or is gone).
function pidsIn(name) {
  try {
    return execFileSync(bin('ip'), ['netns', 'pids', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n').filter(Boolean).map(Number);
  } catch (_) { return []; }
}

// Whether a process runs (a zombie does not: nobody may reap an orphan here).
function processAlive(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch (_) { return false; }
}

function comm(pid) {
  try { return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim(); } catch (_) { return '?'; }
}

const sleepSync = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

// Kills what is left in the namespace and deletes it. Synchronous: it also runs from 'exit'.
// Returns the leftover processes that had to be killed, as "pid (comm)".
function destroy(name) {
  const leftovers = pidsIn(name).filter((pid) => pid !== process.pid);
  const described = leftovers.map((pid) => `${pid} (${comm(pid)})`);
  for (const pid of leftovers) { try { process.kill(pid, 'SIGKILL'); } catch (_) { /* gone */ } }
  // The namespace itself lives until its last process is gone; wait for them (2 s at most).
  for (let i = 0; i < 40 && pidsIn(name).length > 0; i += 1) sleepSync(50);
  if (fs.existsSync(`${NETNS_DIR}/${name}`)) run('ip', ['netns', 'del', name]);
  if (fs.existsSync(`${NETNS_DIR}/${name}`)) throw new Error(`netns: ${name} still exists after ip netns del`);
  return described;
}

// Removes namespaces of ours whose creating process is gone (it was SIGKILLed, e.g. by a ctest
// timeout, and could not clean up).
function sweepStale() {
  let names = [];
  try { names = fs.readdirSync(NETNS_DIR); } catch (_) { return; }
  for (const name of names) {
    const m = name.match(/^sfu-t-(\d+)-[0-9a-f]+$/);
    if (!m) continue;
    if (processAlive(Number(m[1]))) continue;
    try {
      const killed = destroy(name);
      log(`removed stale ${name} (its creator ${m[1]} is gone${killed.length ? `; killed ${killed.join(', ')}` : ''})`);
    } catch (e) { log(`could not remove stale ${name}: ${e.message}`); }
  }
}

// Creates a namespace with `lo` up and the mode's ruleset; returns its name.
function create({ block, allowTcpPorts }) {
  const name = `${PREFIX}${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
  run('ip', ['netns', 'add', name]);
  try {
    run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    if (block !== 'none') run('ip', ['netns', 'exec', name, bin('nft'), '-f', '-'], ruleset(block, allowTcpPorts));
  } catch (e) {
    try { destroy(name); } catch (_) { /* reported below */ }
    throw e;
  }
  return name;
}

// The namespace this process runs in, as runInNetns made it: { name, block, allowTcpPort,
// allowTcpPorts } (the first open TCP port and all of them), or null outside.
function current() {
  const name = process.env[ENV.name];
  if (!name) return null;
  const port = process.env[ENV.port];
  const ports = port ? port.split(',').map(Number) : null;
  return { name, block: process.env[ENV.block], allowTcpPort: ports ? ports[0] : null, allowTcpPorts: ports };
}

// Throws unless this process really is in the namespace the environment names (the bind mount in
// /run/netns and /proc/self/ns/net are the same nsfs inode).
function assertInside() {
  const cur = current();
  if (!cur) throw new Error('netns: not inside a test namespace (SFU_NETNS is not set)');
  let mine;
  let theirs;
  try {
    mine = fs.statSync('/proc/self/ns/net');
    theirs = fs.statSync(`${NETNS_DIR}/${cur.name}`);
  } catch (e) { throw new Error(`netns: cannot compare with ${cur.name}: ${e.message}`); }
  if (mine.ino !== theirs.ino || mine.dev !== theirs.dev) {
    throw new Error(`netns: SFU_NETNS says ${cur.name} but this process is in another network namespace`);
  }
  return cur;
}

// See the top of the file. Returns true in the outer process (the caller returns at once), false
// inside the namespace.
function runInNetns(file, options) {
  const opts = normalize(options);
  const cur = current();
  if (cur) {
    assertInside();
    const said = (ports) => (ports ? ports.join(',') : null);
    if (cur.block !== opts.block || said(cur.allowTcpPorts) !== said(opts.allowTcpPorts)) {
      throw new Error(`netns: inside ${cur.name} (block ${cur.block}, ports ${said(cur.allowTcpPorts)}) but the file asks for ` +
        `block ${opts.block}, ports ${said(opts.allowTcpPorts)}`);
    }
    return false;
  }
  preflight();
  sweepStale();
  const t0 = process.hrtime.bigint();
  const name = create(opts);
  const ms = (t) => (Number(process.hrtime.bigint() - t) / 1e6).toFixed(1);
  const open = opts.allowTcpPorts ? `, TCP port${opts.allowTcpPorts.length > 1 ? 's' : ''} ${opts.allowTcpPorts.join(', ')} open` : '';
  log(`created ${name} (block ${opts.block}${open}) in ${ms(t0)} ms`);

  let destroyed = false;
  const cleanup = () => {
    if (destroyed) return;
    destroyed = true;
    const t1 = process.hrtime.bigint();
    try {
      const killed = destroy(name);
      if (killed.length) log(`killed what the test left in ${name}: ${killed.join(', ')}`);
      log(`removed ${name} in ${ms(t1)} ms`);
    } catch (e) {
      log(e.message);
      process.exitCode = 1;
    }
  };
  process.on('exit', cleanup);

  const env = { ...process.env, [ENV.name]: name, [ENV.block]: opts.block };
  if (opts.allowTcpPorts) env[ENV.port] = opts.allowTcpPorts.join(',');
  // `ip netns exec` execs node in place (no fork), so child.pid is the inner node process.
  const child = spawn(bin('ip'), ['netns', 'exec', name, process.execPath, ...process.execArgv, file, ...process.argv.slice(2)],
    { stdio: 'inherit', env });
  let killTimer = null;
  const forward = (signal) => {
    log(`${signal}: passing it on to the test in ${name}`);
    try { child.kill(signal); } catch (_) { /* gone */ }
    if (!killTimer) killTimer = setTimeout(() => { try { child.kill('SIGKILL'); } catch (_) { /* gone */ } }, 5000);
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, forward);
  const finish = (code) => {
    if (killTimer) clearTimeout(killTimer);
    for (const s of signals) process.off(s, forward);
    cleanup();
    process.exit(process.exitCode || code);
  };
  child.on('error', (e) => { log(`could not run the test in ${name}: ${e.message}`); finish(1); });
  child.on('exit', (code, signal) => finish(code ?? 128 + (os.constants.signals[signal] || 0)));
  return true;
}

// --- Checks from inside --------------------------------------------------------------------

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Sends one datagram from a socket on host to itself; resolves whether it arrived within ms.
async function udpDelivered(host, ms = 300) {
  const sock = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  try {
    await new Promise((resolve, reject) => { sock.once('error', reject); sock.bind(0, host, resolve); });
    let arrived = false;
    sock.on('message', () => { arrived = true; });
    await new Promise((resolve, reject) => sock.send('sfu-netns-probe', sock.address().port, host, (e) => (e ? reject(e) : resolve())));
    const deadline = Date.now() + ms;
    while (!arrived && Date.now() < deadline) await sleep(10);
    return arrived;
  } finally {
    sock.close();
  }
}

// Tries a TCP connection; resolves 'connected', 'timeout' (no answer within ms: dropped) or the
// error code ('ECONNREFUSED': something answered with a RST).
function tcpConnect(host, port, ms = 500) {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const timer = setTimeout(() => { sock.destroy(); resolve('timeout'); }, ms);
    sock.once('connect', () => { clearTimeout(timer); sock.destroy(); resolve('connected'); });
    sock.once('error', (e) => { clearTimeout(timer); resolve(e.code || e.message); });
  });
}

// A listener on 127.0.0.1:port (0: any port); null when the port is taken (then whatever holds it
// is the thing to connect to).
function listen(port) {
  return new Promise((resolve, reject) => {
    const srv = net.createServer((c) => c.destroy());
    srv.once('error', (e) => (e.code === 'EADDRINUSE' ? resolve(null) : reject(e)));
    srv.listen(port, '127.0.0.1', () => resolve(srv));
  });
}

// Packets the ruleset's drop rule has dropped so far (0 in mode 'none').
function droppedPackets() {
  const out = run('nft', ['list', 'table', 'inet', TABLE]);
  const m = out.match(/counter packets (\d+) bytes \d+ drop/);
  return m ? Number(m[1]) : 0;
}

// Measures what the namespace lets through, on its loopback:
//   udp4, udp6: a datagram to the sender's own socket on 127.0.0.1 / ::1 arrived
//   tcpAllowed: connecting to 127.0.0.1:<allowTcpPort> (mode 'all-but-tcp-port': the first open
//               port; in the other modes a free port), with a listener of its own unless the
//               port is taken; tcpAllowedPort is that port
//   tcpAllowedAll: the same for each open port, { port: result } (one entry outside mode
//               'all-but-tcp-port')
//   tcpOther:   connecting to a listener on some other free port
//   dropped:    packets the drop rule counted meanwhile
async function probe() {
  const cur = assertInside();
  const before = cur.block === 'none' ? 0 : droppedPackets();
  const udp4 = await udpDelivered('127.0.0.1');
  const udp6 = await udpDelivered('::1');
  const listeners = [];
  try {
    const tcpAllowedAll = {};
    for (const allowed of cur.allowTcpPorts || [0]) {
      const srv = await listen(allowed);
      if (srv) listeners.push(srv);
      const port = srv ? srv.address().port : allowed;
      tcpAllowedAll[port] = await tcpConnect('127.0.0.1', port);
    }
    const srvOther = await listen(0);
    listeners.push(srvOther);
    const tcpOther = await tcpConnect('127.0.0.1', srvOther.address().port);
    const dropped = (cur.block === 'none' ? 0 : droppedPackets()) - before;
    const [first] = Object.keys(tcpAllowedAll);
    return { udp4, udp6, tcpAllowed: tcpAllowedAll[first], tcpAllowedPort: Number(first), tcpAllowedAll, tcpOther, dropped };
  } finally {
    for (const srv of listeners) srv.close();
  }
}

// Throws unless UDP on loopback (IPv4 and IPv6) is dropped by the namespace's rule.
async function assertUdpBlocked() {
  const cur = assertInside();
  if (cur.block === 'none') throw new Error(`netns ${cur.name}: block 'none' drops nothing`);
  const before = droppedPackets();
  const udp4 = await udpDelivered('127.0.0.1');
  const udp6 = await udpDelivered('::1');
  const dropped = droppedPackets() - before;
  if (udp4 || udp6 || dropped < 2) {
    throw new Error(`netns ${cur.name}: UDP is not blocked (127.0.0.1 arrived: ${udp4}, ::1 arrived: ${udp6}, dropped by the rule: ${dropped})`);
  }
}

// Throws unless the namespace behaves as its mode says: UDP dropped, TCP to each allowed port (any
// port in mode 'udp') connects, and in mode 'all-but-tcp-port' TCP to another port goes
// unanswered. Returns the probe's measurements.
async function assertRulesInForce() {
  const cur = assertInside();
  const p = await probe();
  const want = {
    udp: { udp4: false, udp6: false, tcpAllowed: 'connected', tcpOther: 'connected' },
    'all-but-tcp-port': { udp4: false, udp6: false, tcpAllowed: 'connected', tcpOther: 'timeout' },
    none: { udp4: true, udp6: true, tcpAllowed: 'connected', tcpOther: 'connected' },
  }[cur.block];
  const wrong = Object.keys(want).filter((k) => p[k] !== want[k]);
  for (const [port, result] of Object.entries(p.tcpAllowedAll)) if (result !== 'connected') wrong.push(`tcp port ${port}`);
  if (cur.block !== 'none' && p.dropped < 1) wrong.push('dropped');
  if (wrong.length) {
    throw new Error(`netns ${cur.name} (block ${cur.block}): ${wrong.join(', ')} not as expected: ` +
      `got ${JSON.stringify(p)}, want ${JSON.stringify(want)}`);
  }
  return p;
}

module.exports = {
  runInNetns, current, assertInside, probe, assertUdpBlocked, assertRulesInForce, droppedPackets,
  udpDelivered, tcpConnect, ruleset, processAlive, bin, MODES,
  // For the proof test.
  _internal: { sweepStale, preflight },
};
