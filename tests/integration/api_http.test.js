// Raw HTTP against a server with no keys (unsigned requests from loopback are accepted): the
// happy path of every operation, idempotency, concurrent creates, health, readiness, metrics
// and unknown routes.
'use strict';
const { test } = require('node:test');
const assert = require('node:assert');
const { useServer, listAllAttendees, assertError } = require('./helpers');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const T = { timeout: 15000 };
const srv = useServer({ args: ['--api-rate', '0', '--max-attendees', '12'] });
const req = (...a) => srv().request(...a);

function ok(res, status = 200) {
  assert.strictEqual(res.status, status, `${res.status} ${res.text}`);
  assert.match(res.headers.get('x-amzn-requestid') || '', /\S/, 'x-amzn-RequestId');
  if (status === 200) assert.match(res.headers.get('content-type'), /^application\/json/);
  return res.json;
}

test('CreateMeeting and GetMeeting', T, async () => {
  const body = ok(await req('POST', '/meetings', { ExternalMeetingId: 'plain-http', MediaRegion: 'eu-west-2' }));
  assert.deepStrictEqual(Object.keys(body), ['Meeting']);
  const m = body.Meeting;
  assert.match(m.MeetingId, UUID);
  assert.strictEqual(m.ExternalMeetingId, 'plain-http');
  assert.strictEqual(m.MediaRegion, 'eu-west-2');
  assert.strictEqual(m.MeetingArn, `arn:aws:chime:eu-west-2:000000000000:meeting/${m.MeetingId}`);
  const mp = m.MediaPlacement;
  assert.deepStrictEqual(Object.keys(mp).sort(), ['AudioFallbackUrl', 'AudioHostUrl', 'ScreenDataUrl',
    'ScreenSharingUrl', 'ScreenViewingUrl', 'SignalingUrl', 'TurnControlUrl']);
  assert.strictEqual(mp.SignalingUrl, `ws://127.0.0.1:${srv().port}/control/${m.MeetingId}`);
  assert.ok(!('EventIngestionUrl' in mp));

  const got = ok(await req('GET', `/meetings/${m.MeetingId}`));
  assert.deepStrictEqual(got, body, 'GetMeeting returns what CreateMeeting did');

  // MediaRegion is optional: the default region.
  const d = ok(await req('POST', '/meetings', {})).Meeting;
  assert.strictEqual(d.MediaRegion, 'us-east-1');
  assert.strictEqual(d.ExternalMeetingId, undefined);
  assert.notStrictEqual(d.MeetingId, m.MeetingId);
  // An empty body is an empty request.
  assert.strictEqual(ok(await req('POST', '/meetings', '')).Meeting.MediaRegion, 'us-east-1');
});

test('CreateAttendee, GetAttendee, ListAttendees, DeleteAttendee', T, async () => {
  const id = ok(await req('POST', '/meetings', { ExternalMeetingId: 'att-ops' })).Meeting.MeetingId;
  const a = ok(await req('POST', `/meetings/${id}/attendees`, { ExternalUserId: 'alice' }));
  assert.deepStrictEqual(Object.keys(a), ['Attendee']);
  assert.match(a.Attendee.AttendeeId, UUID);
  assert.strictEqual(a.Attendee.ExternalUserId, 'alice');
  assert.match(a.Attendee.JoinToken, /^[A-Za-z0-9_-]{66}$/);
  assert.deepStrictEqual(a.Attendee.Capabilities, { Audio: 'SendReceive', Video: 'SendReceive', Content: 'SendReceive' });

  const again = ok(await req('POST', `/meetings/${id}/attendees`, { ExternalUserId: 'alice' }));
  assert.deepStrictEqual(again, a, 'same ExternalUserId => the existing attendee');
  const bob = ok(await req('POST', `/meetings/${id}/attendees`, { ExternalUserId: 'bob' })).Attendee;
  assert.notStrictEqual(bob.JoinToken, a.Attendee.JoinToken);

  const aid = a.Attendee.AttendeeId;
  assert.deepStrictEqual(ok(await req('GET', `/meetings/${id}/attendees/${aid}`)), a);
  const list = ok(await req('GET', `/meetings/${id}/attendees`));
  assert.deepStrictEqual(list.Attendees.map((x) => x.ExternalUserId).sort(), ['alice', 'bob']);
  assert.strictEqual(list.NextToken, undefined);

  const del = await req('DELETE', `/meetings/${id}/attendees/${aid}`);
  ok(del, 204);
  assert.strictEqual(del.text, '', '204 has no body');
  assertError(assert, await req('GET', `/meetings/${id}/attendees/${aid}`), 404, 'NotFoundException');
  assertError(assert, await req('DELETE', `/meetings/${id}/attendees/${aid}`), 404, 'NotFoundException');
  assert.deepStrictEqual(ok(await req('GET', `/meetings/${id}/attendees`)).Attendees.map((x) => x.ExternalUserId), ['bob']);
  // A deleted attendee's ExternalUserId makes a new attendee.
  const back = ok(await req('POST', `/meetings/${id}/attendees`, { ExternalUserId: 'alice' })).Attendee;
  assert.notStrictEqual(back.AttendeeId, aid);
  assert.notStrictEqual(back.JoinToken, a.Attendee.JoinToken);
});

test('BatchCreateAttendee and ListAttendees paging (default page 10, max-results, next-token)', T, async () => {
  const id = ok(await req('POST', '/meetings', {})).Meeting.MeetingId;
  const users = Array.from({ length: 12 }, (_, i) => `user-${String(i).padStart(2, '0')}`);
  const batch = ok(await req('POST', `/meetings/${id}/attendees?operation=batch-create`,
    { Attendees: users.map((u) => ({ ExternalUserId: u })) }));
  assert.deepStrictEqual(Object.keys(batch).sort(), ['Attendees', 'Errors']);
  assert.deepStrictEqual(batch.Attendees.map((a) => a.ExternalUserId), users);
  assert.deepStrictEqual(batch.Errors, []);
  assert.strictEqual(new Set(batch.Attendees.map((a) => a.AttendeeId)).size, 12);

  const first = ok(await req('GET', `/meetings/${id}/attendees`));
  assert.strictEqual(first.Attendees.length, 10, 'default page size 10');
  assert.strictEqual(typeof first.NextToken, 'string');
  const second = ok(await req('GET', `/meetings/${id}/attendees?next-token=${encodeURIComponent(first.NextToken)}`));
  assert.strictEqual(second.Attendees.length, 2);
  assert.strictEqual(second.NextToken, undefined);
  const ids = [...first.Attendees, ...second.Attendees].map((a) => a.AttendeeId);
  assert.strictEqual(new Set(ids).size, 12);
  assert.deepStrictEqual([...ids].sort(), batch.Attendees.map((a) => a.AttendeeId).sort());

  // Pages of 5 and of 100 cover the same attendees, each once.
  for (const size of [1, 5, 12, 100]) {
    const seen = [];
    let token;
    let pages = 0;
    do {
      const q = `max-results=${size}${token ? `&next-token=${encodeURIComponent(token)}` : ''}`;
      const page = ok(await req('GET', `/meetings/${id}/attendees?${q}`));
      assert.ok(page.Attendees.length <= size);
      seen.push(...page.Attendees.map((a) => a.AttendeeId));
      token = page.NextToken;
      pages += 1;
    } while (token && pages < 20);
    assert.strictEqual(new Set(seen).size, seen.length, `no duplicates with max-results=${size}`);
    assert.deepStrictEqual([...seen].sort(), [...ids].sort(), `all with max-results=${size}`);
  }

  // Deleting an attendee between pages neither repeats nor skips the others.
  const p1 = ok(await req('GET', `/meetings/${id}/attendees?max-results=4`));
  const victim = ids.find((x) => !p1.Attendees.some((a) => a.AttendeeId === x));
  ok(await req('DELETE', `/meetings/${id}/attendees/${victim}`), 204);
  const rest = await listAllAttendees(srv(), id);
  assert.strictEqual(rest.length, 11);
  const p2 = ok(await req('GET', `/meetings/${id}/attendees?max-results=100&next-token=${encodeURIComponent(p1.NextToken)}`));
  const union = [...p1.Attendees, ...p2.Attendees].map((a) => a.AttendeeId);
  assert.strictEqual(new Set(union).size, 11);
  assert.ok(!union.includes(victim));
});

test('CreateMeetingWithAttendees', T, async () => {
  const r = ok(await req('POST', '/meetings?operation=create-attendees',
    { ExternalMeetingId: 'combo', Attendees: [{ ExternalUserId: 'x1' }, { ExternalUserId: 'x2' }] }));
  assert.deepStrictEqual(Object.keys(r).sort(), ['Attendees', 'Errors', 'Meeting']);
  assert.strictEqual(r.Meeting.ExternalMeetingId, 'combo');
  assert.deepStrictEqual(r.Attendees.map((a) => a.ExternalUserId), ['x1', 'x2']);
  assert.deepStrictEqual(r.Errors, []);
  const list = ok(await req('GET', `/meetings/${r.Meeting.MeetingId}/attendees`));
  assert.deepStrictEqual(list.Attendees.map((a) => a.AttendeeId).sort(), r.Attendees.map((a) => a.AttendeeId).sort());
  const ten = ok(await req('POST', '/meetings?operation=create-attendees',
    { Attendees: Array.from({ length: 10 }, (_, i) => ({ ExternalUserId: `ten-${i}` })) }));
  assert.strictEqual(ten.Attendees.length, 10);
});

test('DeleteMeeting removes the meeting and its attendees', T, async () => {
  const before = (await srv().metrics()).values;
  const r = ok(await req('POST', '/meetings?operation=create-attendees',
    { Attendees: [{ ExternalUserId: 'd1' }, { ExternalUserId: 'd2' }] }));
  const id = r.Meeting.MeetingId;
  const mid = (await srv().metrics()).values;
  assert.strictEqual(mid.get('sfu_meetings'), before.get('sfu_meetings') + 1);
  assert.strictEqual(mid.get('sfu_attendees'), before.get('sfu_attendees') + 2);
  const del = await req('DELETE', `/meetings/${id}`);
  ok(del, 204);
  assert.strictEqual(del.text, '');
  assertError(assert, await req('GET', `/meetings/${id}`), 404, 'NotFoundException');
  assertError(assert, await req('GET', `/meetings/${id}/attendees`), 404, 'NotFoundException');
  assertError(assert, await req('GET', `/meetings/${id}/attendees/${r.Attendees[0].AttendeeId}`), 404, 'NotFoundException');
  assertError(assert, await req('DELETE', `/meetings/${id}`), 404, 'NotFoundException');
  const after = (await srv().metrics()).values;
  assert.strictEqual(after.get('sfu_meetings'), before.get('sfu_meetings'));
  assert.strictEqual(after.get('sfu_attendees'), before.get('sfu_attendees'));
});

test('ClientRequestToken: same parameters => same meeting; different => 409 and no new meeting', T, async () => {
  const count = async () => (await srv().metrics()).get('sfu_meetings');
  const n0 = await count();
  const a = ok(await req('POST', '/meetings', { ClientRequestToken: 'http-tok-1', ExternalMeetingId: 'one' }));
  const b = ok(await req('POST', '/meetings', { ExternalMeetingId: 'one', ClientRequestToken: 'http-tok-1' }));
  assert.strictEqual(b.Meeting.MeetingId, a.Meeting.MeetingId);
  assert.deepStrictEqual(b, a);
  assert.strictEqual(await count(), n0 + 1);
  for (const different of [{ ExternalMeetingId: 'two' }, { ExternalMeetingId: 'one', MediaRegion: 'eu-west-1' }]) {
    const c = await req('POST', '/meetings', { ClientRequestToken: 'http-tok-1', ...different });
    assertError(assert, c, 409, 'ConflictException');
  }
  assert.strictEqual(await count(), n0 + 1, 'a conflict creates nothing');
  // Another token with the same parameters is another meeting.
  const d = ok(await req('POST', '/meetings', { ClientRequestToken: 'http-tok-2', ExternalMeetingId: 'one' }));
  assert.notStrictEqual(d.Meeting.MeetingId, a.Meeting.MeetingId);
  assert.strictEqual(await count(), n0 + 2);
});

test('concurrent requests: one meeting per token, one attendee per ExternalUserId, capacity held', T, async () => {
  const n0 = (await srv().metrics()).get('sfu_meetings');
  const same = await Promise.all(Array.from({ length: 20 },
    () => req('POST', '/meetings', { ClientRequestToken: 'race-token', ExternalMeetingId: 'race' })));
  same.forEach((r) => ok(r));
  assert.strictEqual(new Set(same.map((r) => r.json.Meeting.MeetingId)).size, 1);
  assert.strictEqual((await srv().metrics()).get('sfu_meetings'), n0 + 1);

  const id = same[0].json.Meeting.MeetingId;
  const dup = await Promise.all(Array.from({ length: 20 }, () => req('POST', `/meetings/${id}/attendees`, { ExternalUserId: 'same-user' })));
  dup.forEach((r) => ok(r));
  assert.strictEqual(new Set(dup.map((r) => r.json.Attendee.AttendeeId)).size, 1);

  // --max-attendees 12: 30 distinct users at once, exactly 11 more fit.
  const many = await Promise.all(Array.from({ length: 30 }, (_, i) => req('POST', `/meetings/${id}/attendees`, { ExternalUserId: `racer-${i}` })));
  const accepted = many.filter((r) => r.status === 200);
  assert.strictEqual(accepted.length, 11);
  for (const r of many.filter((x) => x.status !== 200)) assertError(assert, r, 400, 'LimitExceededException');
  assert.strictEqual((await listAllAttendees(srv(), id)).length, 12);
});

test('meetings are spread over the shards', T, async () => {
  for (let i = 0; i < 4; i += 1) ok(await req('POST', '/meetings', {}));
  const m = await srv().metrics();
  const rooms = [0, 1].map((s) => m.get(`sfu_shard_rooms{shard="${s}"}`));
  assert.ok(rooms.every((r) => r > 0), `rooms per shard ${rooms}`);
  assert.strictEqual(rooms[0] + rooms[1], m.get('sfu_meetings'));
});

test('/healthz, /readyz and /metrics', T, async () => {
  const h = await req('GET', '/healthz');
  assert.strictEqual(h.status, 200);
  assert.strictEqual(h.text.trim(), 'ok');
  const r = await req('GET', '/readyz');
  assert.strictEqual(r.status, 200, r.text);

  const m = await srv().metrics();
  assert.strictEqual(m.status, 200);
  for (const key of ['sfu_meetings', 'sfu_attendees', 'process_cpu_seconds_total', 'process_resident_memory_bytes',
    'sfu_shard_rooms{shard="0"}', 'sfu_shard_rooms{shard="1"}',
    'sfu_api_requests_total{operation="CreateMeeting",status="200"}',
    'sfu_api_requests_total{operation="GetMeeting",status="200"}',
    'sfu_api_requests_total{operation="CreateAttendee",status="200"}',
    'sfu_api_requests_total{operation="ListAttendees",status="200"}',
    'sfu_api_requests_total{operation="DeleteMeeting",status="204"}',
    'sfu_api_requests_total{operation="GetMeeting",status="404"}']) {
    assert.ok(m.values.has(key), `metric ${key}`);
    assert.ok(Number.isFinite(m.get(key)), `${key} is a number`);
  }
  assert.ok(m.get('process_resident_memory_bytes') > 1e6);
  assert.match(m.text, /^sfu_build_info\{[^}]*\} 1$/m);
  assert.match(m.text, /^# TYPE sfu_meetings gauge$/m);
  assert.match(m.text, /^# TYPE sfu_api_requests_total counter$/m);

  // The per-operation counter moves by exactly one per request.
  const key = 'sfu_api_requests_total{operation="CreateMeeting",status="200"}';
  const before = m.get(key);
  ok(await req('POST', '/meetings', {}));
  assert.strictEqual((await srv().metrics()).get(key), before + 1);
});

test('unknown routes and methods', T, async () => {
  // ('/' and other one-segment paths without a dot are the meeting app's pages: /<meeting-name>.)
  for (const p of ['/nope/deeper', '/meetings/a/b/c/d', '/meeting/', '/file.txt', '/app/nope.js']) {
    assert.strictEqual((await req('GET', p)).status, 404, p);
  }
  // An unknown operation on a known path, and a method a path does not have.
  const put = await req('PUT', '/meetings');
  assert.ok([404, 405].includes(put.status), `PUT /meetings: ${put.status}`);
  assert.ok([404, 405].includes((await req('POST', '/healthz')).status));
  assert.ok([404, 405].includes((await req('POST', '/metrics')).status));
});
