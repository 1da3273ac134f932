// Meeting events for the application (docs/EVENTS.md): the real sfu-server POSTs AWS-shaped
// events to a receiver on 127.0.0.1 in this test, signed with --events-secret, at least once and
// in order, from the queue in its store. A scripted meeting driven by the real AWS SDK and a real
// join (sfu-loadtest: signaling, ICE/DTLS/SRTP, a camera) gives exactly the expected events; with
// the receiver down, a server restart in the middle loses none of them.
'use strict';
const { test, afterEach } = require('node:test');
const assert = require('node:assert');
const crypto = require('node:crypto');
const http = require('node:http');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');
const { ROOT, SERVER_BIN, startServer, tempDataDir, freePort, requireWeb, sleep } = require('./helpers');

const sdk = requireWeb('@aws-sdk/client-chime-sdk-meetings');
const LOADTEST_BIN = process.env.SFU_LOADTEST_BIN || path.join(ROOT, 'build/sfu-loadtest');
const KEY = { accessKeyId: 'AKIDEVENTS', secretAccessKey: 'secret-events-key' };
const SECRET = 'webhook-secret-0123456789';
// The machine is shared with other tests and Chromium: late shard ticks say nothing about the
// server here, so overload admission (which would refuse CreateMeeting with 503) is off.
const QUIET = ['--overload-late-ticks', '0'];

// A webhook receiver on 127.0.0.1: records every POST whose signature verifies (others are
// answered 401 and counted), answers 200.
async function startReceiver(port) {
  const r = { events: [], badSignatures: 0, seqs: [] };
  r.server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const want = 'sha256=' + crypto.createHmac('sha256', SECRET).update(body).digest('hex');
      const got = req.headers['x-sfu-signature'] || '';
      if (req.method !== 'POST' || got.length !== want.length ||
          !crypto.timingSafeEqual(Buffer.from(got), Buffer.from(want))) {
        r.badSignatures++;
        res.writeHead(401).end();
        return;
      }
      const event = JSON.parse(body);
      r.events.push({ event, headers: req.headers, path: req.url });
      r.seqs.push(Number(req.headers['x-sfu-event-seq']));
      res.writeHead(200).end();
    });
  });
  await new Promise((resolve) => r.server.listen(port, '127.0.0.1', resolve));
  r.stop = () => new Promise((resolve) => { r.server.close(resolve); r.server.closeAllConnections(); });
  return r;
}

// Polls until the receiver holds n events (bounded: fails after limitMs with what it has).
async function waitForEvents(receiver, n, limitMs = 60000) {
  const deadline = Date.now() + limitMs;
  while (receiver.events.length < n) {
    if (Date.now() > deadline) {
      assert.fail(`expected ${n} events, got ${receiver.events.length}:\n` +
        receiver.events.map((e) => e.event.detail.eventType).join('\n'));
    }
    await sleep(50);
  }
}

function client(server) {
  return new sdk.ChimeSDKMeetingsClient({ endpoint: server.url, region: 'us-east-1', credentials: KEY, maxAttempts: 1 });
}

// Runs sfu-loadtest; resolves {code, stdout, stderr}. Killed (and failed) after limitMs.
function loadtest(args, limitMs = 90000) {
  return new Promise((resolve, reject) => {
    const p = spawn(LOADTEST_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { p.kill('SIGKILL'); reject(new Error(`sfu-loadtest hung\n${stderr}`)); }, limitMs);
    p.on('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

async function metricValue(server, name, destination) {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{destination="${destination}"}`));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

// The envelope and detail every event must have (docs/EVENTS.md, from the AWS documentation).
function checkShape(e, meeting, receivedHeaders) {
  assert.deepStrictEqual(Object.keys(e), ['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail']);
  assert.strictEqual(e.version, '0');
  assert.strictEqual(e['detail-type'], 'Chime Meeting State Change');
  assert.strictEqual(e.source, 'aws.chime');
  assert.strictEqual(e.account, '000000000000');
  assert.match(e.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.strictEqual(e.region, meeting.MediaRegion);
  assert.deepStrictEqual(e.resources, []);
  assert.match(e.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const d = e.detail;
  assert.strictEqual(d.version, '0');
  assert.strictEqual(d.meetingId, meeting.MeetingId);
  assert.strictEqual(d.externalMeetingId, meeting.ExternalMeetingId);
  assert.strictEqual(d.mediaRegion, meeting.MediaRegion);
  assert.strictEqual(typeof d.timestamp, 'number');
  assert.strictEqual(new Date(d.timestamp).toISOString().slice(0, 19) + 'Z', e.time);
  assert.strictEqual(receivedHeaders['x-sfu-event-id'], e.id);
  assert.strictEqual(receivedHeaders['x-sfu-event-timestamp'], String(d.timestamp));
  assert.strictEqual(receivedHeaders['content-type'], 'application/json');
  const withNetwork = /^chime:Attendee(Content)?(Joined|Left|Dropped)$/.test(d.eventType);
  assert.strictEqual(d.networkType, withNetwork ? 'Voip' : undefined, d.eventType);
}

const summary = (r) => r.events.map(({ event: { detail: d } }) => `${d.eventType} ${d.externalUserId || ''}`.trim());

let cleanup = [];
afterEach(async (t) => {
  for (const c of cleanup.reverse()) {
    if (t && t.passed === false && c.output) process.stderr.write(`\n--- sfu-server output ---\n${c.output()}--- end ---\n`);
    await c.stop();
  }
  cleanup = [];
});

// The scripted meeting: alice is created and never joins; two attendees created by sfu-loadtest
// really join (signaling, ICE, DTLS, SRTP), the first with a camera, and leave with LEAVE.
async function joinTwo(server, meeting) {
  const run = await loadtest(['--endpoint', server.url, '--api-key', `${KEY.accessKeyId}:${KEY.secretAccessKey}`,
    '--meeting-id', meeting.MeetingId, '--attendees', '2', '--talkers', '1', '--video-senders', '1', '--duration', '3', '--quiet',
    // The joins are what this test is about, not how fast anything was.
    '--slo', 'join_p99_ms=off,mouth_to_ear_p95_ms=off,freezes_per_min=off,keyframe_wait_p95_ms=off']);
  assert.strictEqual(run.code, 0, `sfu-loadtest passed\n${run.stdout}\n${run.stderr}`);
}

// 1 started + alice added/deleted + per joiner added/joined/left + one camera on/off + ended.
const SCRIPTED_COUNT = 1 + 2 + 2 * 3 + 2 + 1;

// Exactly the expected events of the scripted meeting, signed, once each, in queue order, with
// every attendee's own events in the order they happened.
function checkScriptedMeeting(receiver, meeting, alice, joiners, hookPath) {
  assert.strictEqual(receiver.events.length, SCRIPTED_COUNT, summary(receiver).join('\n'));
  assert.strictEqual(receiver.badSignatures, 0);
  for (const { event, headers, path: p } of receiver.events) {
    assert.strictEqual(p, hookPath);
    checkShape(event, meeting, headers);
  }
  for (let i = 1; i < receiver.seqs.length; i++) assert.ok(receiver.seqs[i] > receiver.seqs[i - 1], 'seq order');
  assert.strictEqual(new Set(receiver.events.map((e) => e.event.id)).size, SCRIPTED_COUNT, 'unique ids');
  const types = receiver.events.map((e) => e.event.detail.eventType);
  assert.strictEqual(types[0], 'chime:MeetingStarted');
  assert.deepStrictEqual(summary(receiver).slice(1, 2), ['chime:AttendeeAdded alice']);
  assert.deepStrictEqual(summary(receiver).slice(-2), ['chime:AttendeeDeleted alice', 'chime:MeetingEnded']);
  let cameras = 0;
  for (const a of joiners) {
    const mine = receiver.events.map((e) => e.event.detail).filter((d) => d.attendeeId === a.AttendeeId);
    for (const d of mine) assert.strictEqual(d.externalUserId, a.ExternalUserId);
    const seq = mine.map((d) => d.eventType);
    if (seq.includes('chime:AttendeeVideoStarted')) {
      cameras++;
      assert.deepStrictEqual(seq, ['chime:AttendeeAdded', 'chime:AttendeeJoined', 'chime:AttendeeVideoStarted',
        'chime:AttendeeVideoStopped', 'chime:AttendeeLeft']);
    } else {
      assert.deepStrictEqual(seq, ['chime:AttendeeAdded', 'chime:AttendeeJoined', 'chime:AttendeeLeft']);
    }
  }
  assert.strictEqual(cameras, 1, 'one camera sender');
  const aliceEvents = receiver.events.map((e) => e.event.detail).filter((d) => d.attendeeId === alice.AttendeeId);
  assert.deepStrictEqual(aliceEvents.map((d) => d.eventType), ['chime:AttendeeAdded', 'chime:AttendeeDeleted']);
}

async function joinersOf(chime, meeting, alice) {
  const { Attendees } = await chime.send(new sdk.ListAttendeesCommand({ MeetingId: meeting.MeetingId }));
  const joiners = Attendees.filter((a) => a.AttendeeId !== alice.AttendeeId);
  assert.strictEqual(joiners.length, 2);
  return joiners;
}

test('a scripted meeting delivers exactly the expected events, signed, in order', { timeout: 120000 }, async () => {
  const port = await freePort();
  const receiver = await startReceiver(port);
  cleanup.push(receiver);
  const hook = `http://127.0.0.1:${port}/chime-events`;
  const server = await startServer({ args: ['--api-key', `${KEY.accessKeyId}:${KEY.secretAccessKey}`, '--api-rate', '0', ...QUIET,
    '--events-webhook', hook, '--events-secret', SECRET] });
  cleanup.push(server);
  const chime = client(server);

  const { Meeting } = await chime.send(new sdk.CreateMeetingCommand({ ClientRequestToken: 'events-it-1',
    ExternalMeetingId: 'events-standup', MediaRegion: 'eu-central-1' }));
  const { Attendee: alice } = await chime.send(new sdk.CreateAttendeeCommand({ MeetingId: Meeting.MeetingId, ExternalUserId: 'alice' }));
  await joinTwo(server, Meeting);
  const joiners = await joinersOf(chime, Meeting, alice);
  await chime.send(new sdk.DeleteAttendeeCommand({ MeetingId: Meeting.MeetingId, AttendeeId: alice.AttendeeId }));
  await chime.send(new sdk.DeleteMeetingCommand({ MeetingId: Meeting.MeetingId }));

  await waitForEvents(receiver, SCRIPTED_COUNT);
  await sleep(300);  // nothing more arrives (a duplicate or a stray event would show here)
  checkScriptedMeeting(receiver, Meeting, alice, joiners, '/chime-events');

  // Metrics: everything delivered, nothing queued, dropped or retried.
  for (let i = 0; i < 100 && await metricValue(server, 'sfu_events_queue_depth', hook) !== 0; i++) await sleep(50);
  assert.strictEqual(await metricValue(server, 'sfu_events_queue_depth', hook), 0);
  assert.strictEqual(await metricValue(server, 'sfu_events_delivered_total', hook), SCRIPTED_COUNT);
  assert.strictEqual(await metricValue(server, 'sfu_events_dropped_total', hook), 0);
  assert.strictEqual(await metricValue(server, 'sfu_events_retries_total', hook), 0);
});

test('receiver down, server restarted in the middle, receiver back: nothing lost, nothing twice', { timeout: 120000 }, async () => {
  const port = await freePort();  // nothing listens there yet: every delivery fails
  const hook = `http://127.0.0.1:${port}/hook`;
  const dataDir = tempDataDir();
  cleanup.push({ stop: async () => require('node:fs').rmSync(dataDir, { recursive: true, force: true }) });
  const args = ['--api-key', `${KEY.accessKeyId}:${KEY.secretAccessKey}`, '--api-rate', '0', ...QUIET,
    '--events-webhook', hook, '--events-secret', SECRET];
  let server = await startServer({ dataDir, args });
  let chime = client(server);
  const { Meeting } = await chime.send(new sdk.CreateMeetingCommand({ ClientRequestToken: 'events-it-2',
    ExternalMeetingId: 'events-restart', MediaRegion: 'us-west-2' }));
  const { Attendee: alice } = await chime.send(new sdk.CreateAttendeeCommand({ MeetingId: Meeting.MeetingId, ExternalUserId: 'alice' }));
  await joinTwo(server, Meeting);
  const joiners = await joinersOf(chime, Meeting, alice);
  // The worker has tried and failed; the events so far wait in the store.
  for (let i = 0; i < 400 && !(await metricValue(server, 'sfu_events_retries_total', hook) >= 1); i++) await sleep(50);
  assert.ok(await metricValue(server, 'sfu_events_retries_total', hook) >= 1, 'a failed attempt was counted');
  const before = SCRIPTED_COUNT - 2;
  assert.strictEqual(await metricValue(server, 'sfu_events_queue_depth', hook), before);
  const stopped = await server.stop();
  assert.strictEqual(stopped.code, 0, server.output());

  server = await startServer({ dataDir, args });
  cleanup.push(server);
  chime = client(server);
  assert.strictEqual(await metricValue(server, 'sfu_events_queue_depth', hook), before, 'the queue survived the restart');
  await chime.send(new sdk.DeleteAttendeeCommand({ MeetingId: Meeting.MeetingId, AttendeeId: alice.AttendeeId }));
  await chime.send(new sdk.DeleteMeetingCommand({ MeetingId: Meeting.MeetingId }));
  assert.strictEqual(await metricValue(server, 'sfu_events_queue_depth', hook), SCRIPTED_COUNT);

  const receiver = await startReceiver(port);
  cleanup.push(receiver);
  await waitForEvents(receiver, SCRIPTED_COUNT);
  await sleep(300);
  checkScriptedMeeting(receiver, Meeting, alice, joiners, '/hook');
  for (let i = 0; i < 100 && await metricValue(server, 'sfu_events_queue_depth', hook) !== 0; i++) await sleep(50);
  assert.strictEqual(await metricValue(server, 'sfu_events_queue_depth', hook), 0);
  assert.strictEqual(await metricValue(server, 'sfu_events_delivered_total', hook), SCRIPTED_COUNT);
});

test('bad webhook settings stop the server at start with the reason', { timeout: 20000 }, () => {
  for (const [args, says] of [
    [['--events-webhook', 'https://127.0.0.1:9/x', '--events-secret', SECRET], /https is not supported/],
    [['--events-webhook', 'http://127.0.0.1:9/x'], /needs --events-secret/],
    [['--events-webhook', 'not a url', '--events-secret', SECRET], /--events-webhook 'not a url'/],
  ]) {
    const r = spawnSync(SERVER_BIN, ['--listen', '127.0.0.1:0', ...args], { encoding: 'utf8', timeout: 10000 });
    assert.strictEqual(r.status, 2, r.stderr);
    assert.match(r.stderr, says);
  }
});

test('a meeting that ends by idle timeout sends chime:MeetingEnded', { timeout: 60000 }, async () => {
  const port = await freePort();
  const receiver = await startReceiver(port);
  cleanup.push(receiver);
  const server = await startServer({ args: ['--api-rate', '0', ...QUIET, '--meeting-idle-timeout', '1',
    '--events-webhook', `http://127.0.0.1:${port}/`, '--events-secret', SECRET] });
  cleanup.push(server);
  const created = await server.request('POST', '/meetings', { ExternalMeetingId: 'idle-one' });
  assert.strictEqual(created.status, 200);
  await waitForEvents(receiver, 2);
  assert.deepStrictEqual(summary(receiver), ['chime:MeetingStarted', 'chime:MeetingEnded']);
  assert.strictEqual(receiver.events[1].event.detail.meetingId, created.json.Meeting.MeetingId);
  assert.strictEqual(receiver.events[1].event.detail.externalMeetingId, 'idle-one');
  assert.strictEqual((await server.request('GET', `/meetings/${created.json.Meeting.MeetingId}`)).status, 404);
});

test('a receiver down for long: the queue keeps the newest --events-queue-max events and counts the drops', { timeout: 60000 }, async () => {
  const port = await freePort();
  const hook = `http://127.0.0.1:${port}/`;
  const server = await startServer({ args: ['--api-rate', '0', ...QUIET, '--events-queue-max', '3',
    '--events-webhook', hook, '--events-secret', SECRET] });
  cleanup.push(server);
  const m = (await server.request('POST', '/meetings', { ExternalMeetingId: 'bounded' })).json.Meeting;
  for (const u of ['u1', 'u2', 'u3', 'u4']) {
    assert.strictEqual((await server.request('POST', `/meetings/${m.MeetingId}/attendees`, { ExternalUserId: u })).status, 200);
  }
  assert.strictEqual(await metricValue(server, 'sfu_events_queue_depth', hook), 3);
  assert.strictEqual(await metricValue(server, 'sfu_events_dropped_total', hook), 2);
  const receiver = await startReceiver(port);
  cleanup.push(receiver);
  await waitForEvents(receiver, 3);
  await sleep(300);
  // The two oldest (MeetingStarted, u1) were dropped; the rest arrive in order.
  assert.deepStrictEqual(summary(receiver), ['chime:AttendeeAdded u2', 'chime:AttendeeAdded u3', 'chime:AttendeeAdded u4']);
});

test('attendees still joined when the server stops are dropped, and the next run delivers it', { timeout: 120000 }, async () => {
  const port = await freePort();
  const hook = `http://127.0.0.1:${port}/`;
  const dataDir = tempDataDir();
  cleanup.push({ stop: async () => require('node:fs').rmSync(dataDir, { recursive: true, force: true }) });
  const args = ['--api-key', `${KEY.accessKeyId}:${KEY.secretAccessKey}`, '--api-rate', '0', ...QUIET,
    '--events-webhook', hook, '--events-secret', SECRET];
  const receiver = await startReceiver(port);
  cleanup.push(receiver);
  let server = await startServer({ dataDir, args });
  const chime = client(server);
  const { Meeting } = await chime.send(new sdk.CreateMeetingCommand({ ClientRequestToken: 'events-it-3',
    ExternalMeetingId: 'events-shutdown', MediaRegion: 'us-east-1' }));
  // Two attendees join for a long run; the server stops under them.
  const p = spawn(LOADTEST_BIN, ['--endpoint', server.url, '--api-key', `${KEY.accessKeyId}:${KEY.secretAccessKey}`,
    '--meeting-id', Meeting.MeetingId, '--attendees', '2', '--talkers', '1', '--duration', '60', '--quiet'], { stdio: 'ignore' });
  cleanup.push({ stop: async () => { p.kill('SIGKILL'); } });
  const joined = () => receiver.events.filter((e) => e.event.detail.eventType === 'chime:AttendeeJoined').length;
  for (let i = 0; i < 600 && joined() < 2; i++) await sleep(50);
  assert.strictEqual(joined(), 2, summary(receiver).join('\n'));
  await receiver.stop();  // what happens from here waits in the queue
  const stopped = await server.stop();
  assert.strictEqual(stopped.code, 0, server.output());
  p.kill('SIGKILL');

  const again = await startReceiver(port);
  cleanup.push(again);
  server = await startServer({ dataDir, args });
  cleanup.push(server);
  // At least once: an acknowledgement lost in the shutdown would repeat an event; dedupe by id.
  const all = () => [...new Map([...receiver.events, ...again.events].map((e) => [e.event.id, e.event.detail])).values()];
  for (let i = 0; i < 600 && all().filter((d) => d.eventType === 'chime:AttendeeDropped').length < 2; i++) await sleep(50);
  await sleep(300);
  const joiners = all().filter((d) => d.eventType === 'chime:AttendeeJoined').map((d) => d.attendeeId);
  for (const id of joiners) {
    assert.deepStrictEqual(all().filter((d) => d.attendeeId === id).map((d) => d.eventType),
      ['chime:AttendeeAdded', 'chime:AttendeeJoined', 'chime:AttendeeDropped'], summary(again).join('\n'));
  }
  assert.strictEqual(all().length, 1 + 2 * 3, 'MeetingStarted, then added/joined/dropped for each');
  assert.strictEqual(receiver.badSignatures + again.badSignatures, 0);
});
