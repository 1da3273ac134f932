// Raw HTTP against a server with no keys (unsigned requests from loopback): every operation's
// happy path, idempotency, health, readiness, metrics and unknown routes.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert');
const { startServer, request, metric } = require('./harness');

let server;
before(async () => { server = await startServer(['--api-rate', '0', '--shards', '2', '--log-level', 'warn']); });
after(async () => { if (server) await server.stop(); });

test('health, readiness and metrics', async () => {
  assert.strictEqual((await request(server, 'GET', '/healthz')).status, 200);
  const ready = await request(server, 'GET', '/readyz');
  assert.strictEqual(ready.status, 200, ready.text);
  const m = await request(server, 'GET', '/metrics');
  assert.strictEqual(m.status, 200);
  for (const name of ['sfu_build_info{', 'sfu_meetings ', 'sfu_attendees ', 'process_cpu_seconds_total ',
    'process_resident_memory_bytes ', 'sfu_shard_rooms{shard="1"}', 'sfu_shard_packets_total{shard="0",direction="in"}']) {
    assert.ok(m.text.includes(name), name);
  }
  assert.match(m.text, /sfu_build_info\{.*srtp="libsrtp2 [0-9.]+ crypto=(openssl|nss)".*\} 1/);
});

test('every operation over plain HTTP', async () => {
  const created = await request(server, 'POST', '/meetings', { ExternalMeetingId: 'plain-http' });
  assert.strictEqual(created.status, 200, created.text);
  assert.ok(created.headers.get('x-amzn-requestid'));
  const id = created.json.Meeting.MeetingId;
  assert.strictEqual((await request(server, 'GET', `/meetings/${id}`)).json.Meeting.ExternalMeetingId, 'plain-http');

  const a = await request(server, 'POST', `/meetings/${id}/attendees`, { ExternalUserId: 'alice' });
  assert.strictEqual(a.status, 200, a.text);
  const again = await request(server, 'POST', `/meetings/${id}/attendees`, { ExternalUserId: 'alice' });
  assert.strictEqual(again.json.Attendee.AttendeeId, a.json.Attendee.AttendeeId, 'same ExternalUserId, same attendee');
  const batch = await request(server, 'POST', `/meetings/${id}/attendees?operation=batch-create`,
    { Attendees: [{ ExternalUserId: 'bob' }, { ExternalUserId: 'carol' }] });
  assert.strictEqual(batch.status, 200, batch.text);
  assert.strictEqual(batch.json.Attendees.length, 2);
  const list = await request(server, 'GET', `/meetings/${id}/attendees?max-results=2`);
  assert.strictEqual(list.json.Attendees.length, 2);
  assert.ok(list.json.NextToken);
  const rest = await request(server, 'GET', `/meetings/${id}/attendees?max-results=2&next-token=${encodeURIComponent(list.json.NextToken)}`);
  assert.strictEqual(rest.json.Attendees.length, 1);
  assert.strictEqual(rest.json.NextToken, undefined);
  const aid = a.json.Attendee.AttendeeId;
  assert.strictEqual((await request(server, 'GET', `/meetings/${id}/attendees/${aid}`)).status, 200);
  assert.strictEqual((await request(server, 'DELETE', `/meetings/${id}/attendees/${aid}`)).status, 204);
  assert.strictEqual((await request(server, 'GET', `/meetings/${id}/attendees/${aid}`)).status, 404);

  const withAtt = await request(server, 'POST', '/meetings?operation=create-attendees',
    { ExternalMeetingId: 'combo', Attendees: [{ ExternalUserId: 'x1' }, { ExternalUserId: 'x2' }] });
  assert.strictEqual(withAtt.status, 200, withAtt.text);
  assert.strictEqual(withAtt.json.Attendees.length, 2);
  assert.deepStrictEqual(withAtt.json.Errors, []);

  assert.strictEqual((await request(server, 'DELETE', `/meetings/${id}`)).status, 204);
  assert.strictEqual((await request(server, 'GET', `/meetings/${id}`)).status, 404);
});

test('ClientRequestToken: same parameters replay, different parameters conflict', async () => {
  const before = await metric(server, 'sfu_meetings');
  const a = await request(server, 'POST', '/meetings', { ClientRequestToken: 'http-tok', ExternalMeetingId: 'one' });
  const b = await request(server, 'POST', '/meetings', { ClientRequestToken: 'http-tok', ExternalMeetingId: 'one' });
  assert.strictEqual(a.json.Meeting.MeetingId, b.json.Meeting.MeetingId);
  const c = await request(server, 'POST', '/meetings', { ClientRequestToken: 'http-tok', ExternalMeetingId: 'two' });
  assert.strictEqual(c.status, 409);
  assert.strictEqual(c.headers.get('x-amzn-errortype'), 'ConflictException');
  assert.strictEqual(await metric(server, 'sfu_meetings'), before + 1);
});

test('meetings are spread over the shards', async () => {
  for (let i = 0; i < 4; i += 1) await request(server, 'POST', '/meetings', {});
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const rooms = [...text.matchAll(/^sfu_shard_rooms\{shard="(\d)"\} (\d+)$/gm)].map((m) => Number(m[2]));
  assert.strictEqual(rooms.length, 2);
  assert.ok(rooms[0] > 0 && rooms[1] > 0, `rooms per shard ${rooms}`);
  assert.ok(Math.abs(rooms[0] - rooms[1]) <= 1, `balanced: ${rooms}`);
});

test('unknown routes and methods', async () => {
  assert.strictEqual((await request(server, 'GET', '/nope')).status, 404);
  const r = await request(server, 'PUT', '/meetings');
  assert.strictEqual(r.status, 404);
  assert.strictEqual(r.headers.get('x-amzn-errortype'), 'NotFoundException');
  assert.strictEqual((await request(server, 'POST', '/metrics')).status, 405);
});
