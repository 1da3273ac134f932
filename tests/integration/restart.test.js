// Durability and lifecycle of the real binary: SIGTERM exits 0 promptly, a restart on the same
// --data-dir keeps every meeting and attendee (join tokens byte-identical), a restart in the
// middle of a burst of creates loses nothing that was acknowledged, and idle meetings end.
'use strict';
const { test, afterEach } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const { startServer, tempDataDir, listAllAttendees, assertError, sleep } = require('./helpers');

// Servers and data dirs of the current test, always cleaned up; output shown on failure.
let servers = [];
let dirs = [];
async function start(options) {
  const s = await startServer(options);
  servers.push(s);
  return s;
}
function dataDir() {
  const d = tempDataDir();
  dirs.push(d);
  return d;
}
afterEach(async (t) => {
  if (t && t.passed === false) {
    for (const s of servers) process.stderr.write(`\n--- sfu-server output (${s.args.join(' ')}) ---\n${s.output()}--- end ---\n`);
  }
  for (const s of servers) await s.stop();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  servers = [];
  dirs = [];
});

// SIGTERM; asserts a clean exit (code 0) within 5 s.
async function stopCleanly(server) {
  const r = await server.stop({ timeoutMs: 5000 });
  assert.strictEqual(r.timedOut, false, `exited within 5 s after SIGTERM (took ${r.ms} ms)\n${server.output()}`);
  assert.strictEqual(r.signal, null, 'not killed by a signal');
  assert.strictEqual(r.code, 0, `exit code 0\n${server.output()}`);
  return r;
}

const withoutAudioHost = (m) => ({ ...m, MediaPlacement: { ...m.MediaPlacement, AudioHostUrl: undefined } });

test('SIGTERM exits 0; a restart keeps meetings, attendees and byte-identical join tokens', { timeout: 20000 }, async () => {
  const dir = dataDir();
  let s = await start({ dataDir: dir, args: ['--api-rate', '0'] });
  assert.match(s.output(), /^Ready\./m, 'startup block ends with Ready.');

  const m1 = (await s.request('POST', '/meetings', { ClientRequestToken: 'durable-token', ExternalMeetingId: 'durable', MediaRegion: 'eu-west-1' })).json.Meeting;
  const combo = (await s.request('POST', '/meetings?operation=create-attendees',
    { ExternalMeetingId: 'combo', Attendees: [{ ExternalUserId: 'c-one' }, { ExternalUserId: 'c-two' }] })).json;
  const alice = (await s.request('POST', `/meetings/${m1.MeetingId}/attendees`, { ExternalUserId: 'alice' })).json.Attendee;
  const batch = (await s.request('POST', `/meetings/${m1.MeetingId}/attendees?operation=batch-create`,
    { Attendees: ['bob', 'carol', 'dave', 'erin'].map((u) => ({ ExternalUserId: u })) })).json.Attendees;
  assert.strictEqual(batch.length, 4);
  // Deleted things stay deleted.
  assert.strictEqual((await s.request('DELETE', `/meetings/${m1.MeetingId}/attendees/${batch[3].AttendeeId}`)).status, 204);
  const gone = (await s.request('POST', '/meetings', { ExternalMeetingId: 'deleted' })).json.Meeting;
  assert.strictEqual((await s.request('DELETE', `/meetings/${gone.MeetingId}`)).status, 204);

  const page1 = (await s.request('GET', `/meetings/${m1.MeetingId}/attendees?max-results=2`)).json;
  const listBefore = await listAllAttendees(s, m1.MeetingId);
  const metricsBefore = await s.metrics();
  const port = s.port;
  await stopCleanly(s);

  s = await start({ dataDir: dir, port, args: ['--api-rate', '0'] });
  // Meetings: everything but AudioHostUrl (ephemeral media port with --media-port 0) is identical.
  const got1 = await s.request('GET', `/meetings/${m1.MeetingId}`);
  assert.strictEqual(got1.status, 200, got1.text);
  assert.deepStrictEqual(withoutAudioHost(got1.json.Meeting), withoutAudioHost(m1));
  assert.match(got1.json.Meeting.MediaPlacement.AudioHostUrl, /^127\.0\.0\.1:\d+$/);
  const got2 = await s.request('GET', `/meetings/${combo.Meeting.MeetingId}`);
  assert.deepStrictEqual(withoutAudioHost(got2.json.Meeting), withoutAudioHost(combo.Meeting));

  // Attendees: identical JSON, so the JoinToken is byte-identical.
  for (const [mid, a] of [[m1.MeetingId, alice], ...batch.slice(0, 3).map((b) => [m1.MeetingId, b]),
    ...combo.Attendees.map((c) => [combo.Meeting.MeetingId, c])]) {
    const r = await s.request('GET', `/meetings/${mid}/attendees/${a.AttendeeId}`);
    assert.strictEqual(r.status, 200, r.text);
    assert.deepStrictEqual(r.json.Attendee, a);
    assert.strictEqual(Buffer.compare(Buffer.from(r.json.Attendee.JoinToken), Buffer.from(a.JoinToken)), 0);
  }
  assert.deepStrictEqual(await listAllAttendees(s, m1.MeetingId), listBefore);
  // A paging token handed out before the restart still works after it.
  const page2 = await s.request('GET', `/meetings/${m1.MeetingId}/attendees?max-results=2&next-token=${encodeURIComponent(page1.NextToken)}`);
  assert.strictEqual(page2.status, 200, page2.text);
  assert.strictEqual(page1.Attendees.length + page2.json.Attendees.length + (page2.json.NextToken ? 1 : 0), 4);

  // Deleted stays deleted; counts match.
  assertError(assert, await s.request('GET', `/meetings/${gone.MeetingId}`), 404, 'NotFoundException');
  assertError(assert, await s.request('GET', `/meetings/${m1.MeetingId}/attendees/${batch[3].AttendeeId}`), 404, 'NotFoundException');
  const metricsAfter = await s.metrics();
  assert.strictEqual(metricsAfter.get('sfu_meetings'), metricsBefore.get('sfu_meetings'));
  assert.strictEqual(metricsAfter.get('sfu_attendees'), metricsBefore.get('sfu_attendees'));

  // Idempotency survives the restart; an existing ExternalUserId returns the same attendee.
  const replay = await s.request('POST', '/meetings', { ClientRequestToken: 'durable-token', ExternalMeetingId: 'durable', MediaRegion: 'eu-west-1' });
  assert.strictEqual(replay.json.Meeting.MeetingId, m1.MeetingId);
  assertError(assert, await s.request('POST', '/meetings', { ClientRequestToken: 'durable-token', ExternalMeetingId: 'changed' }), 409, 'ConflictException');
  const aliceAgain = await s.request('POST', `/meetings/${m1.MeetingId}/attendees`, { ExternalUserId: 'alice' });
  assert.deepStrictEqual(aliceAgain.json.Attendee, alice);

  // And a second restart changes nothing either.
  await stopCleanly(s);
  s = await start({ dataDir: dir, port, args: ['--api-rate', '0'] });
  const third = await s.request('GET', `/meetings/${m1.MeetingId}/attendees/${alice.AttendeeId}`);
  assert.strictEqual(third.json.Attendee.JoinToken, alice.JoinToken);
  await stopCleanly(s);
});

test('restart in the middle of a burst of creates loses nothing acknowledged', { timeout: 30000 }, async () => {
  const dir = dataDir();
  let s = await start({ dataDir: dir, args: ['--api-rate', '0'] });
  const TOTAL = 200;
  const acknowledged = [];
  const failures = {};
  let next = 0;
  let stopping = null;
  const worker = async () => {
    while (next < TOTAL) {
      const i = next;
      next += 1;
      try {
        const r = await s.request('POST', '/meetings', { ExternalMeetingId: `burst-${i}` });
        if (r.status === 200) acknowledged.push(r.json.Meeting.MeetingId);
        else failures[r.status] = (failures[r.status] || 0) + 1;
      } catch (e) {
        // Connection refused / reset / closed while the server stops: not acknowledged, fine.
        const code = (e.cause && e.cause.code) || e.name;
        failures[code] = (failures[code] || 0) + 1;
      }
      if (acknowledged.length >= 50 && !stopping) stopping = s.stop({ timeoutMs: 5000 });
    }
  };
  await Promise.all(Array.from({ length: 10 }, worker));
  assert.ok(stopping, `the server was stopped mid-burst (acknowledged ${acknowledged.length})`);
  const stopped = await stopping;
  assert.strictEqual(stopped.timedOut, false, 'exited within 5 s');
  assert.strictEqual(stopped.code, 0, `exit code 0\n${s.output()}`);
  assert.ok(acknowledged.length >= 50 && acknowledged.length < TOTAL, `acknowledged ${acknowledged.length}`);
  // Only connection errors (or a 5xx while stopping) are acceptable failures, never a 4xx.
  for (const status of Object.keys(failures)) assert.ok(!/^4\d\d$/.test(status), `failures: ${JSON.stringify(failures)}`);
  const attempted = acknowledged.length + Object.values(failures).reduce((a, b) => a + b, 0);
  assert.strictEqual(attempted, TOTAL);

  s = await start({ dataDir: dir, args: ['--api-rate', '0'] });
  const lost = [];
  for (const id of acknowledged) {
    const r = await s.request('GET', `/meetings/${id}`);
    if (r.status !== 200) lost.push(`${id}: ${r.status}`);
  }
  assert.deepStrictEqual(lost, [], `acknowledged meetings lost across the restart (${lost.length} of ${acknowledged.length})`);
  // Requests cut off by the stop may or may not have committed, but no more than were sent.
  const stored = (await s.metrics()).get('sfu_meetings');
  assert.ok(stored >= acknowledged.length, `stored ${stored} >= acknowledged ${acknowledged.length}`);
  assert.ok(stored <= TOTAL - (failures.ECONNREFUSED || 0), `stored ${stored}: nothing invented`);
  await stopCleanly(s);
});

test('a meeting nobody joins ends after --meeting-idle-timeout (2 s), and stays ended after a restart', { timeout: 20000 }, async () => {
  const dir = dataDir();
  let s = await start({ dataDir: dir, args: ['--api-rate', '0', '--meeting-idle-timeout', '2', '--log-level', 'info'] });
  const created = await s.request('POST', '/meetings?operation=create-attendees',
    { ClientRequestToken: 'idle-token', ExternalMeetingId: 'idle', Attendees: [{ ExternalUserId: 'idle-one' }, { ExternalUserId: 'idle-two' }] });
  const t0 = Date.now();
  assert.strictEqual(created.status, 200, created.text);
  const id = created.json.Meeting.MeetingId;
  const aid = created.json.Attendees[0].AttendeeId;

  let status = 200;
  while (status === 200 && Date.now() - t0 < 6000) {
    await sleep(100);
    status = (await s.request('GET', `/meetings/${id}`)).status;
  }
  const elapsed = Date.now() - t0;
  assert.strictEqual(status, 404, `meeting still there after ${elapsed} ms`);
  assert.ok(elapsed >= 1500, `not ended before the timeout (ended after ${elapsed} ms)`);
  assert.ok(elapsed <= 4000, `ended within ~4 s (took ${elapsed} ms)`);
  assertError(assert, await s.request('GET', `/meetings/${id}/attendees/${aid}`), 404, 'NotFoundException');
  assertError(assert, await s.request('GET', `/meetings/${id}/attendees`), 404, 'NotFoundException');
  const m = await s.metrics();
  assert.strictEqual(m.get('sfu_meetings'), 0);
  assert.strictEqual(m.get('sfu_attendees'), 0);
  assert.strictEqual(m.get('sfu_shard_rooms{shard="0"}') + m.get('sfu_shard_rooms{shard="1"}'), 0);
  assert.match(s.output(), new RegExp(`meeting ended.*meeting=${id}.*reason=expired`));
  await stopCleanly(s);

  s = await start({ dataDir: dir, args: ['--api-rate', '0'] });
  assertError(assert, await s.request('GET', `/meetings/${id}`), 404, 'NotFoundException');
  // The ended meeting's token makes a new meeting.
  const again = await s.request('POST', '/meetings', { ClientRequestToken: 'idle-token', ExternalMeetingId: 'idle' });
  assert.strictEqual(again.status, 200, again.text);
  assert.notStrictEqual(again.json.Meeting.MeetingId, id);
  await stopCleanly(s);
});

test('a meeting idle across a restart ends within the timeout after it', { timeout: 20000 }, async () => {
  const dir = dataDir();
  let s = await start({ dataDir: dir, args: ['--api-rate', '0'] });
  const id = (await s.request('POST', '/meetings', {})).json.Meeting.MeetingId;
  await stopCleanly(s);
  s = await start({ dataDir: dir, args: ['--api-rate', '0', '--meeting-idle-timeout', '2'] });
  const t0 = Date.now();
  let status = 200;
  while (status === 200 && Date.now() - t0 < 6000) {
    await sleep(100);
    status = (await s.request('GET', `/meetings/${id}`)).status;
  }
  assert.strictEqual(status, 404, `still there ${Date.now() - t0} ms after the restart`);
  assert.ok(Date.now() - t0 <= 4000, `ended within ~4 s of the restart (${Date.now() - t0} ms)`);
  await stopCleanly(s);
});
