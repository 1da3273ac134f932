// Cluster mode (docs/DESIGN.md, "Cluster mode"): Debian's redis-server started by this test on a
// free loopback port with a temp dir (appendonly yes, appendfsync always), and three sfu-server
// nodes A, B, C sharing it (--redis, --node-timeout 3). Everything on 127.0.0.1.
//
// 1. The real @aws-sdk/client-chime-sdk-meetings creates 30 meetings through node A: they spread
//    over the three nodes (each MediaPlacement names its node), and node B answers GetMeeting and
//    ListAttendees for every one of them.
// 2. Two Chime SDK clients in Chromium (440 and 700 Hz) join a meeting placed on node C through
//    its URLs, with join tokens issued by node A: each hears the other, not itself. Node B lists
//    them; node C's metrics count them.
// 3. The API rate limit is one bucket per caller across the nodes: a burst spread over A, B and C
//    is refused (429) past the shared burst, which each node alone would have allowed.
// 4. Redis stopped while the clients talk: the API answers 503 ServiceUnavailable on every node,
//    /readyz says why, and media goes on (both still hear each other); Redis restarted on the same
//    port and dir: every node answers again with the same meetings, and no node is swept as dead
//    although every heartbeat key expired during the outage.
// 5. Node C killed (SIGKILL): within the heartbeat timeout its meetings are ended (GetMeeting 404
//    through A and B), meetings on A and B are untouched, and new meetings avoid C.
// 6. A node started with --redis pointing at nothing exits at once with a clear error.
// 7. sfu-server --drain asks node B to drain: new meetings avoid it, and it exits by itself once
//    its last meeting is deleted.
// (After 1.) Replica meetings (docs/DESIGN.md, "Replica meetings"): a replica created through
// another node than its primary's is placed on the primary's node; the primary deleted through a
// third node ends it (the host ends the replicas it knows); an unknown primary is a 400.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert');
const { spawnSync } = require('node:child_process');
const http = require('node:http');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const {
  startServer, launchChromium, freePort, requireWeb, startRedis, SERVER_BIN, waitUntil, meetingsClient: client,
} = require('./harness');
const { buildBundle, servePage } = require('./chime_bundle');
const media = require('./chime_media');

const sdk = requireWeb('@aws-sdk/client-chime-sdk-meetings');
const FREQS = [440, 700];
const TIMEOUT_S = 3;
let dir;
let redis;
let redisPort;
const nodes = {};
let web;
let bundleDir;
const browsers = [];
const pages = [];
const placed = {};  // meeting id -> node name
let talkMeeting;
let receiver;
const EVENTS_SECRET = 'cluster-test-events-secret';

// Records every meeting event POSTed by any node (docs/EVENTS.md): [eventType, meetingId, path].
async function startReceiver() {
  const r = { events: [] };
  r.server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const e = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      r.events.push([e.detail.eventType, e.detail.meetingId]);
      res.writeHead(200).end();
    });
  });
  r.port = await freePort();
  await new Promise((resolve) => r.server.listen(r.port, '127.0.0.1', resolve));
  r.of = (type, meetingId) => r.events.filter(([t, m]) => t === type && m === meetingId).length;
  return r;
}

function redisUrl() { return `redis://127.0.0.1:${redisPort}`; }

async function startNode(name, extra = []) {
  nodes[name] = await startServer(['--redis', redisUrl(), '--node-id', `node-${name}`,
    '--node-timeout', String(TIMEOUT_S), '--shards', '1', '--api-rate', '50', '--api-burst', '150',
    '--events-webhook', `http://127.0.0.1:${receiver.port}/events`, '--events-secret', EVENTS_SECRET, ...extra]);
  return nodes[name];
}

function nodeOf(meeting) {
  const url = meeting.MediaPlacement.SignalingUrl;
  for (const [name, n] of Object.entries(nodes)) if (url.startsWith(`ws://127.0.0.1:${n.port}/`)) return name;
  return `unknown (${url})`;
}

async function newPage(browser, what) {
  const ctx = await browser.newContext();
  const p = await ctx.newPage();
  p.on('pageerror', (e) => process.stderr.write(`[pageerror ${what}] ${e.message}\n`));
  await p.goto(web.url);
  await media.installSpectrum(p);
  return p;
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sfu-cluster-'));
  redisPort = await freePort();
  redis = await startRedis({ port: redisPort, dir });
  receiver = await startReceiver();
  for (const n of ['a', 'b', 'c']) await startNode(n);
  const bundle = await buildBundle();
  bundleDir = path.dirname(bundle);
  web = await servePage(bundle);
  for (const f of FREQS) {
    const wav = path.join(dir, `tone${f}.wav`);
    media.writeToneWav(wav, f);
    const b = await launchChromium([`--use-file-for-fake-audio-capture=${wav}`]);
    browsers.push(b);
    pages.push(await newPage(b, `${f} Hz`));
  }
}, { timeout: 90000 });

after(async () => {
  for (const b of browsers) await b.close().catch(() => {});
  if (web) await web.close();
  for (const n of Object.values(nodes)) await n.stop();
  if (redis) await redis.stop();
  if (receiver) { receiver.server.closeAllConnections(); receiver.server.close(); }
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  if (bundleDir) fs.rmSync(bundleDir, { recursive: true, force: true });
});

test('30 meetings created through node A with the AWS SDK spread over the three nodes; node B answers for all of them', async () => {
  const a = client(nodes.a);
  const b = client(nodes.b);
  for (let i = 0; i < 30; i += 1) {
    const r = await a.send(new sdk.CreateMeetingCommand({
      ClientRequestToken: `cluster-${i}`, MediaRegion: 'us-east-1', ExternalMeetingId: `cluster-${i}`,
    }));
    placed[r.Meeting.MeetingId] = nodeOf(r.Meeting);
  }
  const counts = { a: 0, b: 0, c: 0 };
  for (const n of Object.values(placed)) counts[n] = (counts[n] ?? 0) + 1;
  console.log(`[cluster] 30 meetings placed: ${JSON.stringify(counts)}`);
  for (const n of ['a', 'b', 'c']) assert.ok(counts[n] >= 8, `node ${n} got ${counts[n]} of 30: ${JSON.stringify(counts)}`);
  // The same token again through node B: the same meeting (idempotency tokens are shared).
  const again = await b.send(new sdk.CreateMeetingCommand({ ClientRequestToken: 'cluster-0', MediaRegion: 'us-east-1', ExternalMeetingId: 'cluster-0' }));
  assert.strictEqual(placed[again.Meeting.MeetingId] !== undefined, true, 'a replayed ClientRequestToken returns the existing meeting');
  for (const id of Object.keys(placed)) {
    const g = await b.send(new sdk.GetMeetingCommand({ MeetingId: id }));
    assert.strictEqual(g.Meeting.MeetingId, id);
    assert.strictEqual(nodeOf(g.Meeting), placed[id], 'GetMeeting through B names the hosting node');
    const l = await b.send(new sdk.ListAttendeesCommand({ MeetingId: id }));
    assert.deepStrictEqual(l.Attendees, []);
  }
  // Meetings placed on B and C reached them through their inboxes; every node talks to Redis.
  assert.ok(await media.metricSum(nodes.c, 'sfu_cluster_inbox_messages_total') >= counts.c);
  assert.ok(await media.metricSum(nodes.a, 'sfu_redis_commands_total') > await media.metricSum(nodes.a, 'sfu_redis_round_trips_total'));
  // Each meeting's chime:MeetingStarted comes once, from the node hosting it.
  await waitUntil(() => Object.keys(placed).every((id) => receiver.of('chime:MeetingStarted', id) === 1),
    'one MeetingStarted per meeting', 10000);
});

test('replica meetings are placed on their primary\'s node and end with it, across nodes', { timeout: 30000 }, async () => {
  const names = ['a', 'b', 'c'];
  const pairs = [];
  for (let i = 0; i < 3; i += 1) {
    const primary = (await client(nodes[names[i]]).send(new sdk.CreateMeetingCommand({
      ClientRequestToken: `replica-primary-${i}`, MediaRegion: 'us-east-1', ExternalMeetingId: `replica-primary-${i}`,
    }))).Meeting;
    const host = nodeOf(primary);
    const via = names[(names.indexOf(host) + 1) % 3];  // never the host's own API
    const replica = (await client(nodes[via]).send(new sdk.CreateMeetingCommand({
      ClientRequestToken: `replica-${i}`, MediaRegion: 'us-east-1', ExternalMeetingId: `replica-${i}`,
      PrimaryMeetingId: primary.MeetingId,
    }))).Meeting;
    assert.strictEqual(replica.PrimaryMeetingId, primary.MeetingId);
    assert.strictEqual(nodeOf(replica), host, `the replica created through ${via} is placed on its primary's node ${host}`);
    pairs.push({ primary, replica, host, via });
  }
  await assert.rejects(client(nodes.a).send(new sdk.CreateMeetingCommand({
    ClientRequestToken: 'replica-orphan', MediaRegion: 'us-east-1', PrimaryMeetingId: '00000000-0000-4000-8000-000000000000',
  })), (e) => e.name === 'BadRequestException' && /was not found/.test(e.message));
  // Deleted through the third node: the host ends the replica (its inbox, within a tick or two).
  for (const { primary, replica, host, via } of pairs) {
    const third = names.find((n) => n !== host && n !== via);
    await client(nodes[third]).send(new sdk.DeleteMeetingCommand({ MeetingId: primary.MeetingId }));
    await waitUntil(async () => (await fetch(`${nodes[via].url}/meetings/${replica.MeetingId}`)).status === 404,
      `replica on ${host} ends with its primary deleted through ${third}`, 5000);
  }
  console.log(`[cluster] replicas: ${pairs.map((p) => `primary on ${p.host}, replica created through ${p.via}`).join('; ')}`);
});

test('two Chime clients join a meeting on node C with tokens issued by node A: each hears the other, not itself; node B lists them', { timeout: 90000 }, async () => {
  let created;
  for (let i = 0; i < 10 && !created; i += 1) {
    const r = (await media.api(nodes.a, 'POST', '/meetings?operation=create-attendees', {
      ExternalMeetingId: `talk-${i}`, Attendees: FREQS.map((f) => ({ ExternalUserId: `tone-${f}` })),
    })).json;
    if (nodeOf(r.Meeting) === 'c') created = r;
    else placed[r.Meeting.MeetingId] = nodeOf(r.Meeting);
  }
  assert.ok(created, 'one of 10 meetings created through A was placed on C');
  talkMeeting = created;
  placed[created.Meeting.MeetingId] = 'c';
  const t0 = Date.now();
  await Promise.all(pages.map((p, i) => p.evaluate(media.joinMeeting, {
    meeting: { Meeting: created.Meeting }, attendee: { Attendee: created.Attendees[i] }, rawMic: true,
  })));
  for (const p of pages) await media.waitFor(p, () => window.ev.started, 'audioVideoDidStart');
  await media.waitForMixedAudio(pages);
  console.log(`[cluster] audio on both ${Date.now() - t0} ms after join (meeting on node C)`);
  await new Promise((r) => setTimeout(r, 1500));
  await media.assertEachHearsTheOthers(pages, FREQS);
  const listed = (await media.api(nodes.b, 'GET', `/meetings/${created.Meeting.MeetingId}/attendees`)).json;
  assert.deepStrictEqual(listed.Attendees.map((x) => x.ExternalUserId).sort(), FREQS.map((f) => `tone-${f}`).sort());
  assert.strictEqual(await media.metricSum(nodes.c, 'sfu_connected_attendees'), 2, 'node C holds the two sessions');
  assert.strictEqual(await media.metricSum(nodes.a, 'sfu_connected_attendees'), 0, 'node A holds none');
});

test('sfu-loadtest drives the three nodes at once (--cluster-endpoint): meetings created through each node in turn, all joined', { timeout: 90000 }, async () => {
  const bin = process.env.SFU_LOADTEST_BIN || path.join(__dirname, '../../build/sfu-loadtest');
  const before = {};
  for (const n of ['a', 'b', 'c']) before[n] = await media.metricSum(nodes[n], 'sfu_api_requests_total', { operation: 'CreateMeeting' });
  const json = path.join(dir, 'loadtest.json');
  const r = spawnSync(bin, ['--endpoint', nodes.a.url, '--cluster-endpoint', nodes.b.url, '--cluster-endpoint', nodes.c.url,
    '--meetings', '3', '--attendees', '3', '--talkers', '1', '--duration', '5', '--join-rate', '20', '--quiet', '--json', json],
  { encoding: 'utf8', timeout: 60000 });
  assert.strictEqual(r.status, 0, r.stdout + r.stderr);
  const report = JSON.parse(fs.readFileSync(json, 'utf8'));
  assert.strictEqual(report.joins.succeeded, 9, JSON.stringify(report.joins));
  for (const n of ['a', 'b', 'c']) {
    const created = await media.metricSum(nodes[n], 'sfu_api_requests_total', { operation: 'CreateMeeting' }) - before[n];
    assert.strictEqual(created, 1, `one meeting created through node ${n}`);
  }
  console.log(`[cluster] sfu-loadtest over 3 nodes: ${report.verdict}`);
  // Its meetings join the others (the later tests count every meeting of each node): read
  // every node's meetings from Redis.
  let added = 0;
  for (const n of ['a', 'b', 'c']) {
    const ids = spawnSync('redis-cli', ['-p', String(redisPort), 'ZRANGE', `sfu:node-meetings:node-${n}`, '0', '-1'],
      { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    for (const id of ids) if (!placed[id]) { placed[id] = n; added += 1; }
  }
  assert.strictEqual(added, 3, 'the load test\'s 3 meetings');
});

test('the API rate limit is shared: a burst spread over A, B and C is refused past the one shared bucket', async () => {
  await new Promise((r) => setTimeout(r, 3000));  // the bucket refills (50/s, burst 150)
  const statuses = [];
  const order = ['a', 'b', 'c'];
  const t0 = Date.now();
  await Promise.all(Array.from({ length: 450 }, (_, i) => fetch(`${nodes[order[i % 3]].url}/meetings/${talkMeeting.Meeting.MeetingId}`)
    .then((r) => { statuses.push(r.status); return r.text(); })));
  const ok = statuses.filter((s) => s === 200).length;
  const limited = statuses.filter((s) => s === 429).length;
  const seconds = (Date.now() - t0) / 1000;
  console.log(`[cluster] 450 requests, 150 per node, in ${seconds.toFixed(2)} s: ${ok} answered, ${limited} refused (429)`);
  assert.strictEqual(ok + limited, 450, `only 200 or 429: ${statuses}`);
  // Each node alone would answer all of its 150 (its burst); one shared bucket answers the burst
  // plus what refills meanwhile.
  assert.ok(ok <= 150 + 50 * seconds + 10, `at most the shared burst plus the refill: ${ok} answered in ${seconds} s`);
  assert.ok(limited > 0, 'some refused');
  await new Promise((r) => setTimeout(r, 2000));
});

test('the meeting app served by node A joins a meeting placed on another node: its CSP allows every live node', { timeout: 90000 }, async () => {
  const csp = (await fetch(`${nodes.a.url}/`)).headers.get('content-security-policy');
  for (const n of ['a', 'b', 'c']) assert.ok(csp.includes(`ws://127.0.0.1:${nodes[n].port}`), `connect-src names node ${n}: ${csp}`);
  // A meeting name whose meeting lands off node A (created by name through node B's app).
  let name;
  let where;
  for (let i = 0; i < 10 && !name; i += 1) {
    const r = await fetch(`${nodes.b.url}/app/join`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ meeting: `cluster-app-${i}`, name: 'Probe' }) });
    const j = await r.json();
    assert.strictEqual(r.status, 200, JSON.stringify(j));
    if (nodeOf(j.Meeting) !== 'a') { name = `cluster-app-${i}`; where = nodeOf(j.Meeting); placed[j.Meeting.MeetingId] = where; }
  }
  assert.ok(name, 'one of 10 app meetings went to B or C');
  const browser = await launchChromium();
  try {
    const page = await (await browser.newContext()).newPage();
    const violations = [];
    page.on('console', (m) => { if (/Content.Security.Policy|Refused to/i.test(m.text())) violations.push(m.text()); });
    await page.addInitScript(() => {
      window.cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    await page.goto(`${nodes.a.url}/${name}`);
    await page.fill('#your-name', 'Visitor');
    await page.click('#join-button');
    await media.waitFor(page, () => document.getElementById('quality-text').textContent === 'Connected', 'the app connected', 30000);
    console.log(`[cluster] meeting app on node A joined "${name}" on node ${where}`);
    assert.deepStrictEqual(await page.evaluate(() => window.cspViolations), []);
    assert.deepStrictEqual(violations, []);
  } finally {
    await browser.close();
  }
});

test('Redis stopped: the API answers 503 on every node and media goes on; Redis back: every node answers, nobody is swept', { timeout: 60000 }, async () => {
  const id = talkMeeting.Meeting.MeetingId;
  await redis.stop();
  const t0 = Date.now();
  for (const n of ['a', 'b', 'c']) {
    const r = await fetch(`${nodes[n].url}/meetings/${id}`);
    assert.strictEqual(r.status, 503, `node ${n} without Redis`);
    assert.strictEqual(r.headers.get('x-amzn-errortype')?.split(':')[0], 'ServiceUnavailableException');
  }
  await waitUntil(async () => (await fetch(`${nodes.a.url}/readyz`)).status === 503, 'node A /readyz says not ready', 5000);
  const ready = await (await fetch(`${nodes.a.url}/readyz`)).text();
  assert.match(ready, /Redis/, `/readyz says why: ${ready}`);
  // Live media does not need Redis: both still hear each other.
  await media.assertEachHearsTheOthers(pages, FREQS);
  // Long enough for every heartbeat key (3 s) to expire while Redis is away.
  const wait = TIMEOUT_S * 1000 + 1000 - (Date.now() - t0);
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  console.log(`[cluster] Redis away for ${Date.now() - t0} ms; restarting it on the same port and dir`);
  redis = await startRedis({ port: redisPort, dir });
  for (const n of ['a', 'b', 'c']) {
    await waitUntil(async () => (await fetch(`${nodes[n].url}/meetings/${id}`)).status === 200, `node ${n} answers again`, 10000);
  }
  // A sweep would come within a timeout of the nodes being back; wait past it.
  await new Promise((r) => setTimeout(r, TIMEOUT_S * 1000 + 2000));
  for (const [m, n] of Object.entries(placed)) {
    assert.strictEqual((await fetch(`${nodes.b.url}/meetings/${m}`)).status, 200, `meeting on node ${n} survived the outage`);
  }
  for (const n of ['a', 'b', 'c']) {
    assert.doesNotMatch(nodes[n].output(), /node lost/, `node ${n} swept nobody`);
    assert.ok(await media.metricSum(nodes[n], 'sfu_redis_failures_total') > 0, `node ${n} counted the outage`);
    assert.strictEqual(await media.metricSum(nodes[n], 'sfu_cluster_redis_reachable'), 1, `node ${n} reaches Redis again`);
  }
  await media.assertEachHearsTheOthers(pages, FREQS);
});

test('a meeting whose record leaves Redis without a message to its node is ended there within the reconcile period', { timeout: 60000 }, async () => {
  const id = talkMeeting.Meeting.MeetingId;
  // What a lost "deleted" message would leave: the record gone, the node still running it.
  const script = "redis.call('DEL', KEYS[1]); redis.call('ZREM', KEYS[2], ARGV[1]); return 1";
  const r = spawnSync('redis-cli', ['-p', String(redisPort), 'EVAL', script, '2', `sfu:meeting:{${id}}`,
    'sfu:node-meetings:node-c', id], { encoding: 'utf8' });
  assert.strictEqual(r.stdout.trim(), '1', r.stderr);
  const t0 = Date.now();
  for (const p of pages) await media.waitFor(p, () => window.ev.stopped, 'the session ends (MeetingEnded)', 20000);
  console.log(`[cluster] record removed behind node C's back: its sessions ended ${Date.now() - t0} ms later`);
  assert.strictEqual(await media.metricSum(nodes.c, 'sfu_cluster_meetings_reconciled_total'), 1);
  assert.match(nodes.c.output(), /meeting gone from Redis without a message here/);
  await waitUntil(() => receiver.of('chime:MeetingEnded', id) === 1, 'MeetingEnded from node C', 5000);
  delete placed[id];
});

test('node C killed: its meetings end within the heartbeat timeout, A\'s and B\'s stay, new meetings avoid C', { timeout: 60000 }, async () => {
  for (const p of pages) await p.evaluate(() => window.session.audioVideo.stop()).catch(() => {});
  nodes.c.proc.kill('SIGKILL');
  const t0 = Date.now();
  const onC = Object.keys(placed).filter((m) => placed[m] === 'c');
  assert.ok(onC.length > 0);
  await waitUntil(async () => {
    for (const m of onC) if ((await fetch(`${nodes.a.url}/meetings/${m}`)).status !== 404) return false;
    return true;
  }, `C's ${onC.length} meetings end`, (TIMEOUT_S * 2 + 5) * 1000);
  console.log(`[cluster] node C killed: its ${onC.length} meetings ended ${Date.now() - t0} ms later`);
  const sweeper = ['a', 'b'].find((n) => /node lost[^\n]*node=node-c/.test(nodes[n].output()));
  assert.ok(sweeper, 'a live node logged the sweep of node-c');
  await waitUntil(() => onC.every((m) => receiver.of('chime:MeetingEnded', m) === 1),
    `chime:MeetingEnded for each of C's meetings, from node ${sweeper}`, 10000);
  assert.strictEqual(await media.metricSum(nodes[sweeper], 'sfu_cluster_meetings_swept_total'), onC.length);
  for (const [m, n] of Object.entries(placed)) {
    if (n === 'c') continue;
    assert.strictEqual((await fetch(`${nodes.b.url}/meetings/${m}`)).status, 200, `meeting on node ${n} untouched`);
  }
  for (let i = 0; i < 6; i += 1) {
    const r = (await media.api(nodes.a, 'POST', '/meetings', { ExternalMeetingId: `after-${i}` })).json;
    assert.notStrictEqual(nodeOf(r.Meeting), 'c', 'a new meeting avoids the dead node');
    placed[r.Meeting.MeetingId] = nodeOf(r.Meeting);
  }
  await nodes.c.stop();
  delete nodes.c;
});

test('node A restarted under its id keeps its meetings and takes joins again', { timeout: 60000 }, async () => {
  const onA = Object.keys(placed).filter((m) => placed[m] === 'a');
  assert.ok(onA.length > 0);
  const port = nodes.a.port;
  await nodes.a.stop();
  nodes.a = await startServer(['--redis', redisUrl(), '--node-id', 'node-a', '--node-timeout', String(TIMEOUT_S),
    '--shards', '1', '--api-rate', '50', '--api-burst', '150'], { port });
  for (const m of onA) {
    const g = (await media.api(nodes.b, 'GET', `/meetings/${m}`)).json;
    assert.strictEqual(nodeOf(g.Meeting), 'a', `meeting ${m} still on node A`);
  }
  const started = await waitUntil(() => nodes.a.output().match(/msg="server started"[^\n]* meetings=(\d+)/), 'the start line', 5000);
  assert.ok(Number(started[1]) >= onA.length, `the restarted node hosts its ${onA.length} meetings again: ${started[0]}`);
  // A join on the restarted node: a fresh attendee of one of its meetings connects its media.
  const att = (await media.api(nodes.b, 'POST', `/meetings/${onA[0]}/attendees`, { ExternalUserId: 'after-restart' })).json;
  const meeting = (await media.api(nodes.b, 'GET', `/meetings/${onA[0]}`)).json;
  await pages[0].evaluate(media.joinMeeting, { meeting, attendee: att, rawMic: true });
  await media.waitFor(pages[0], () => window.ev.started, 'audioVideoDidStart on the restarted node');
  await pages[0].evaluate(() => window.session.audioVideo.stop());
});

test('a second node started with a live node\'s --node-id exits with a clear error', async () => {
  const r = spawnSync(SERVER_BIN, ['--listen', `127.0.0.1:${await freePort()}`, '--media-port', '0', '--turn-port', '0',
    '--data-dir', path.join(dir, 'twin'), '--redis', redisUrl(), '--node-id', 'node-a'], { encoding: 'utf8', timeout: 10000 });
  assert.strictEqual(r.status, 2, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /another live node uses --node-id node-a/);
});

test('a node whose Redis does not answer exits at once with a clear error', async () => {
  const port = await freePort();
  const r = spawnSync(SERVER_BIN, ['--listen', `127.0.0.1:${await freePort()}`, '--media-port', '0', '--turn-port', '0',
    '--data-dir', path.join(dir, 'nothing'), '--redis', `redis://127.0.0.1:${port}`], { encoding: 'utf8', timeout: 10000 });
  assert.strictEqual(r.status, 2, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, new RegExp(`cannot use Redis \\(--redis\\)[^\\n]*cannot connect to Redis at redis://127.0.0.1:${port}`));
});

test('sfu-server --drain asks node B to drain: new meetings avoid it; it stops once its last meeting is deleted', { timeout: 60000 }, async () => {
  const r = spawnSync(SERVER_BIN, ['--drain', '--redis', redisUrl(), '--node-id', 'node-b'], { encoding: 'utf8', timeout: 10000 });
  assert.strictEqual(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /node node-b asked to drain: it takes no new meetings/);
  await waitUntil(() => /msg="draining/.test(nodes.b.output()), 'node B says it drains', 5000);
  for (let i = 0; i < 4; i += 1) {
    const m = (await media.api(nodes.a, 'POST', '/meetings', { ExternalMeetingId: `drain-${i}` })).json;
    assert.strictEqual(nodeOf(m.Meeting), 'a', 'a new meeting goes to A while B drains');
  }
  assert.strictEqual(nodes.b.proc.exitCode, null, 'B still runs while it has meetings');
  for (const [m, n] of Object.entries(placed)) {
    if (n === 'b') assert.strictEqual((await fetch(`${nodes.a.url}/meetings/${m}`, { method: 'DELETE' })).status, 204);
  }
  await waitUntil(() => nodes.b.proc.exitCode !== null, 'node B exits after its last meeting', 10000);
  assert.strictEqual(nodes.b.proc.exitCode, 0);
  assert.match(nodes.b.output(), /drained: no meeting left on this node, stopping/);
});
