// The real @aws-sdk/client-chime-sdk-meetings against sfu-server with one configured key:
// every operation, ListAttendees paging, and the SDK's exception classes for missing things,
// conflicts, limits and bad credentials.
'use strict';
const { test } = require('node:test');
const assert = require('node:assert');
const { useServer, requireWeb } = require('./helpers');

const sdk = requireWeb('@aws-sdk/client-chime-sdk-meetings');
const KEY = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret-test-key' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const T = { timeout: 15000 };

const srv = useServer({ args: ['--api-key', `${KEY.accessKeyId}:${KEY.secretAccessKey}`, '--api-rate', '0'] });

function client(credentials = KEY, region = 'us-east-1') {
  return new sdk.ChimeSDKMeetingsClient({ endpoint: srv().url, region, credentials, maxAttempts: 1 });
}

// Asserts that promise rejects with the SDK's exception class cls (by name and instanceof).
async function rejectsWith(promise, cls, status) {
  await assert.rejects(promise, (e) => {
    assert.strictEqual(e.name, cls.name, `${e.name}: ${e.message}`);
    assert.ok(e instanceof cls, `instanceof ${cls.name}`);
    assert.ok(e instanceof sdk.ChimeSDKMeetingsServiceException, 'instanceof ChimeSDKMeetingsServiceException');
    if (status) assert.strictEqual(e.$metadata.httpStatusCode, status);
    assert.ok(e.$metadata.requestId, 'requestId from x-amzn-RequestId');
    assert.ok(e.message.length > 0);
    return true;
  });
}

function checkMeeting(m, port) {
  assert.match(m.MeetingId, UUID);
  assert.strictEqual(m.MeetingArn, `arn:aws:chime:${m.MediaRegion}:000000000000:meeting/${m.MeetingId}`);
  const mp = m.MediaPlacement;
  assert.ok(mp, 'MediaPlacement');
  for (const k of ['AudioHostUrl', 'AudioFallbackUrl', 'SignalingUrl', 'TurnControlUrl', 'ScreenDataUrl',
    'ScreenSharingUrl', 'ScreenViewingUrl']) {
    assert.strictEqual(typeof mp[k], 'string', k);
    assert.ok(mp[k].length > 0, k);
  }
  assert.ok(!('EventIngestionUrl' in mp), 'no EventIngestionUrl');
  assert.strictEqual(mp.EventIngestionUrl, undefined);
  assert.strictEqual(mp.SignalingUrl, `ws://127.0.0.1:${port}/control/${m.MeetingId}`);
  assert.ok(!mp.SignalingUrl.includes('?'), 'SignalingUrl has no query string');
}

function checkAttendee(a, externalUserId) {
  assert.match(a.AttendeeId, UUID);
  assert.strictEqual(a.ExternalUserId, externalUserId);
  assert.match(a.JoinToken, /^[A-Za-z0-9_-]{66}$/);
  assert.deepStrictEqual(a.Capabilities, { Audio: 'SendReceive', Video: 'SendReceive', Content: 'SendReceive' });
}

test('CreateMeeting: Chime-shaped meeting, MediaPlacement without EventIngestionUrl, idempotent token', T, async () => {
  const chime = client();
  const params = { ClientRequestToken: 'sdk-create-1', ExternalMeetingId: 'standup', MediaRegion: 'eu-central-1',
    MeetingFeatures: { Audio: { EchoReduction: 'AVAILABLE' } } };
  const out = await chime.send(new sdk.CreateMeetingCommand(params));
  assert.strictEqual(out.$metadata.httpStatusCode, 200);
  assert.ok(out.$metadata.requestId);
  const m = out.Meeting;
  checkMeeting(m, srv().port);
  assert.strictEqual(m.ExternalMeetingId, 'standup');
  assert.strictEqual(m.MediaRegion, 'eu-central-1');
  assert.strictEqual(m.MeetingFeatures.Audio.EchoReduction, 'AVAILABLE');

  const again = await chime.send(new sdk.CreateMeetingCommand(params));
  assert.strictEqual(again.Meeting.MeetingId, m.MeetingId, 'same token + params => same meeting');
  await rejectsWith(chime.send(new sdk.CreateMeetingCommand({ ...params, ExternalMeetingId: 'other' })),
    sdk.ConflictException, 409);

  // Without an explicit token the SDK generates one per call: two distinct meetings.
  const a = await chime.send(new sdk.CreateMeetingCommand({ MediaRegion: 'us-east-1' }));
  const b = await chime.send(new sdk.CreateMeetingCommand({ MediaRegion: 'us-east-1' }));
  assert.notStrictEqual(a.Meeting.MeetingId, b.Meeting.MeetingId);
  checkMeeting(a.Meeting, srv().port);
});

test('CreateAttendee, BatchCreateAttendee, ListAttendees paging, GetAttendee, DeleteAttendee', T, async () => {
  const chime = client();
  const { Meeting } = await chime.send(new sdk.CreateMeetingCommand({ MediaRegion: 'us-east-1', ExternalMeetingId: 'attendees' }));
  const MeetingId = Meeting.MeetingId;

  const { Attendee } = await chime.send(new sdk.CreateAttendeeCommand({ MeetingId, ExternalUserId: 'alice' }));
  checkAttendee(Attendee, 'alice');
  const same = await chime.send(new sdk.CreateAttendeeCommand({ MeetingId, ExternalUserId: 'alice' }));
  assert.deepStrictEqual(same.Attendee, Attendee, 'same ExternalUserId => the existing attendee');

  const batch = await chime.send(new sdk.BatchCreateAttendeeCommand({
    MeetingId, Attendees: ['bob', 'carol', 'dave', 'erin'].map((u) => ({ ExternalUserId: u })),
  }));
  assert.deepStrictEqual(batch.Attendees.map((a) => a.ExternalUserId), ['bob', 'carol', 'dave', 'erin']);
  batch.Attendees.forEach((a) => checkAttendee(a, a.ExternalUserId));
  assert.deepStrictEqual(batch.Errors, []);
  const created = new Map([[Attendee.AttendeeId, Attendee], ...batch.Attendees.map((a) => [a.AttendeeId, a])]);
  assert.strictEqual(created.size, 5);

  // Collect all pages of 2 over 5 attendees.
  const seen = new Map();
  let NextToken;
  let pages = 0;
  do {
    const page = await chime.send(new sdk.ListAttendeesCommand({ MeetingId, MaxResults: 2, NextToken }));
    assert.ok(page.Attendees.length <= 2, 'page size honoured');
    for (const a of page.Attendees) {
      assert.ok(!seen.has(a.AttendeeId), `attendee ${a.AttendeeId} listed twice`);
      seen.set(a.AttendeeId, a);
    }
    NextToken = page.NextToken;
    pages += 1;
  } while (NextToken && pages < 10);
  assert.strictEqual(pages, 3, 'three pages (2, 2, 1)');
  assert.deepStrictEqual([...seen.keys()].sort(), [...created.keys()].sort(), 'every attendee listed');
  for (const [id, a] of seen) assert.deepStrictEqual(a, created.get(id));

  // Default page (no MaxResults) holds all five.
  const all = await chime.send(new sdk.ListAttendeesCommand({ MeetingId }));
  assert.strictEqual(all.Attendees.length, 5);
  assert.strictEqual(all.NextToken, undefined);

  const got = await chime.send(new sdk.GetAttendeeCommand({ MeetingId, AttendeeId: Attendee.AttendeeId }));
  assert.deepStrictEqual(got.Attendee, Attendee);

  const del = await chime.send(new sdk.DeleteAttendeeCommand({ MeetingId, AttendeeId: Attendee.AttendeeId }));
  assert.strictEqual(del.$metadata.httpStatusCode, 204);
  await rejectsWith(chime.send(new sdk.GetAttendeeCommand({ MeetingId, AttendeeId: Attendee.AttendeeId })),
    sdk.NotFoundException, 404);
  await rejectsWith(chime.send(new sdk.DeleteAttendeeCommand({ MeetingId, AttendeeId: Attendee.AttendeeId })),
    sdk.NotFoundException, 404);
  const after = await chime.send(new sdk.ListAttendeesCommand({ MeetingId }));
  assert.strictEqual(after.Attendees.length, 4);
  assert.ok(!after.Attendees.some((a) => a.AttendeeId === Attendee.AttendeeId));
});

test('CreateMeetingWithAttendees, GetMeeting, DeleteMeeting', T, async () => {
  const chime = client();
  const r = await chime.send(new sdk.CreateMeetingWithAttendeesCommand({
    MediaRegion: 'us-west-2', ExternalMeetingId: 'with-attendees',
    Attendees: [{ ExternalUserId: 'u-one' }, { ExternalUserId: 'u-two' }, { ExternalUserId: 'u-three' }],
  }));
  checkMeeting(r.Meeting, srv().port);
  assert.strictEqual(r.Meeting.MediaRegion, 'us-west-2');
  assert.deepStrictEqual(r.Attendees.map((a) => a.ExternalUserId), ['u-one', 'u-two', 'u-three']);
  r.Attendees.forEach((a) => checkAttendee(a, a.ExternalUserId));
  assert.deepStrictEqual(r.Errors, []);
  const MeetingId = r.Meeting.MeetingId;

  const got = await chime.send(new sdk.GetMeetingCommand({ MeetingId }));
  assert.deepStrictEqual(got.Meeting, r.Meeting);
  const list = await chime.send(new sdk.ListAttendeesCommand({ MeetingId }));
  assert.strictEqual(list.Attendees.length, 3);

  const del = await chime.send(new sdk.DeleteMeetingCommand({ MeetingId }));
  assert.strictEqual(del.$metadata.httpStatusCode, 204);
  await rejectsWith(chime.send(new sdk.GetMeetingCommand({ MeetingId })), sdk.NotFoundException, 404);
  await rejectsWith(chime.send(new sdk.DeleteMeetingCommand({ MeetingId })), sdk.NotFoundException, 404);
  await rejectsWith(chime.send(new sdk.ListAttendeesCommand({ MeetingId })), sdk.NotFoundException, 404);
  await rejectsWith(chime.send(new sdk.GetAttendeeCommand({ MeetingId, AttendeeId: r.Attendees[0].AttendeeId })),
    sdk.NotFoundException, 404);
  await rejectsWith(chime.send(new sdk.CreateAttendeeCommand({ MeetingId, ExternalUserId: 'late' })),
    sdk.NotFoundException, 404);
});

test('bad input surfaces as BadRequestException', T, async () => {
  const chime = client();
  const { Meeting } = await chime.send(new sdk.CreateMeetingCommand({ MediaRegion: 'us-east-1' }));
  await rejectsWith(chime.send(new sdk.CreateAttendeeCommand({ MeetingId: Meeting.MeetingId, ExternalUserId: 'x' })),
    sdk.BadRequestException, 400);
  await rejectsWith(chime.send(new sdk.ListAttendeesCommand({ MeetingId: Meeting.MeetingId, NextToken: 'not-a-token' })),
    sdk.BadRequestException, 400);
  await rejectsWith(chime.send(new sdk.CreateMeetingWithAttendeesCommand({
    MediaRegion: 'us-east-1', Attendees: Array.from({ length: 11 }, (_, i) => ({ ExternalUserId: `user-${i}` })),
  })), sdk.BadRequestException, 400);
});

test('the default 250 attendees per meeting: the 251st is LimitExceededException', T, async () => {
  const chime = client();
  const { Meeting } = await chime.send(new sdk.CreateMeetingCommand({ MediaRegion: 'us-east-1' }));
  const MeetingId = Meeting.MeetingId;
  for (const [from, n] of [[0, 100], [100, 100], [200, 50]]) {
    const b = await chime.send(new sdk.BatchCreateAttendeeCommand({
      MeetingId, Attendees: Array.from({ length: n }, (_, i) => ({ ExternalUserId: `user-${from + i}` })),
    }));
    assert.strictEqual(b.Attendees.length, n);
    assert.deepStrictEqual(b.Errors, []);
  }
  await rejectsWith(chime.send(new sdk.CreateAttendeeCommand({ MeetingId, ExternalUserId: 'user-250' })),
    sdk.LimitExceededException, 400);
  // An existing attendee is still returned at capacity.
  const existing = await chime.send(new sdk.CreateAttendeeCommand({ MeetingId, ExternalUserId: 'user-7' }));
  assert.strictEqual(existing.Attendee.ExternalUserId, 'user-7');
  const over = await chime.send(new sdk.BatchCreateAttendeeCommand({ MeetingId, Attendees: [{ ExternalUserId: 'user-251' }] }));
  assert.deepStrictEqual(over.Attendees, []);
  assert.strictEqual(over.Errors.length, 1);
  assert.strictEqual(over.Errors[0].ExternalUserId, 'user-251');
  assert.strictEqual(over.Errors[0].ErrorCode, 'LimitExceeded');
  // Paging over the whole meeting at the maximum page size.
  let count = 0;
  let NextToken;
  do {
    const page = await chime.send(new sdk.ListAttendeesCommand({ MeetingId, MaxResults: 100, NextToken }));
    count += page.Attendees.length;
    NextToken = page.NextToken;
  } while (NextToken);
  assert.strictEqual(count, 250);
});

test('any signing region is accepted', T, async () => {
  const out = await client(KEY, 'ap-southeast-1').send(new sdk.CreateMeetingCommand({ MediaRegion: 'ap-southeast-1' }));
  assert.strictEqual(out.Meeting.MediaRegion, 'ap-southeast-1');
});

test('a wrong secret gets ForbiddenException', T, async () => {
  const bad = client({ ...KEY, secretAccessKey: 'not-the-secret' });
  await rejectsWith(bad.send(new sdk.CreateMeetingCommand({ MediaRegion: 'us-east-1' })), sdk.ForbiddenException, 403);
  await rejectsWith(bad.send(new sdk.ListAttendeesCommand({ MeetingId: '00000000-0000-4000-8000-000000000000' })),
    sdk.ForbiddenException, 403);
});

test('an unknown access key gets ForbiddenException', T, async () => {
  const bad = client({ accessKeyId: 'AKIDUNKNOWN', secretAccessKey: KEY.secretAccessKey });
  await rejectsWith(bad.send(new sdk.CreateMeetingCommand({ MediaRegion: 'us-east-1' })), sdk.ForbiddenException, 403);
  await rejectsWith(bad.send(new sdk.GetMeetingCommand({ MeetingId: '00000000-0000-4000-8000-000000000000' })),
    sdk.ForbiddenException, 403);
});

test('UpdateAttendeeCapabilities: happy path, the AWS rules, unknown attendee and meeting', T, async () => {
  const chime = client();
  const { Meeting } = await chime.send(new sdk.CreateMeetingCommand({ MediaRegion: 'us-east-1' }));
  const { Attendee } = await chime.send(new sdk.CreateAttendeeCommand({ MeetingId: Meeting.MeetingId, ExternalUserId: 'caps' }));
  const up = await chime.send(new sdk.UpdateAttendeeCapabilitiesCommand({ MeetingId: Meeting.MeetingId,
    AttendeeId: Attendee.AttendeeId, Capabilities: { Audio: 'Receive', Video: 'Receive', Content: 'None' } }));
  assert.deepStrictEqual(up.Attendee.Capabilities, { Audio: 'Receive', Video: 'Receive', Content: 'None' });
  assert.strictEqual(up.Attendee.AttendeeId, Attendee.AttendeeId);
  assert.strictEqual(up.Attendee.JoinToken, Attendee.JoinToken);
  const got = await chime.send(new sdk.GetAttendeeCommand({ MeetingId: Meeting.MeetingId, AttendeeId: Attendee.AttendeeId }));
  assert.deepStrictEqual(got.Attendee.Capabilities, up.Attendee.Capabilities);
  // Content Receive needs video Receive or SendReceive.
  await rejectsWith(chime.send(new sdk.UpdateAttendeeCapabilitiesCommand({ MeetingId: Meeting.MeetingId,
    AttendeeId: Attendee.AttendeeId, Capabilities: { Audio: 'None', Video: 'Send', Content: 'Receive' } })), sdk.BadRequestException, 400);
  // An invalid value, and a missing one.
  await rejectsWith(chime.send(new sdk.UpdateAttendeeCapabilitiesCommand({ MeetingId: Meeting.MeetingId,
    AttendeeId: Attendee.AttendeeId, Capabilities: { Audio: 'Loud', Video: 'None', Content: 'None' } })), sdk.BadRequestException, 400);
  await rejectsWith(chime.send(new sdk.UpdateAttendeeCapabilitiesCommand({ MeetingId: Meeting.MeetingId,
    AttendeeId: Attendee.AttendeeId, Capabilities: { Audio: 'None', Video: 'None' } })), sdk.BadRequestException, 400);
  await rejectsWith(chime.send(new sdk.UpdateAttendeeCapabilitiesCommand({ MeetingId: Meeting.MeetingId,
    AttendeeId: '00000000-0000-4000-8000-000000000000', Capabilities: { Audio: 'None', Video: 'None', Content: 'None' } })),
  sdk.NotFoundException, 404);
  await rejectsWith(chime.send(new sdk.UpdateAttendeeCapabilitiesCommand({ MeetingId: '00000000-0000-4000-8000-000000000000',
    AttendeeId: Attendee.AttendeeId, Capabilities: { Audio: 'None', Video: 'None', Content: 'None' } })), sdk.NotFoundException, 404);
  const after = await chime.send(new sdk.GetAttendeeCommand({ MeetingId: Meeting.MeetingId, AttendeeId: Attendee.AttendeeId }));
  assert.deepStrictEqual(after.Attendee.Capabilities, up.Attendee.Capabilities, 'refused updates changed nothing');
});

test('capabilities and MeetingFeatures: media a meeting turns off default to None and refuse anything else', T, async () => {
  const chime = client();
  const { Meeting } = await chime.send(new sdk.CreateMeetingCommand({ MediaRegion: 'us-east-1',
    MeetingFeatures: { Video: { MaxResolution: 'None' }, Content: { MaxResolution: 'None' } } }));
  const { Attendee } = await chime.send(new sdk.CreateAttendeeCommand({ MeetingId: Meeting.MeetingId, ExternalUserId: 'audio-only' }));
  assert.deepStrictEqual(Attendee.Capabilities, { Audio: 'SendReceive', Video: 'None', Content: 'None' });
  await rejectsWith(chime.send(new sdk.CreateAttendeeCommand({ MeetingId: Meeting.MeetingId, ExternalUserId: 'wants-video',
    Capabilities: { Audio: 'SendReceive', Video: 'Receive', Content: 'None' } })), sdk.BadRequestException, 400);
  await rejectsWith(chime.send(new sdk.UpdateAttendeeCapabilitiesCommand({ MeetingId: Meeting.MeetingId,
    AttendeeId: Attendee.AttendeeId, Capabilities: { Audio: 'SendReceive', Video: 'None', Content: 'Send' } })),
  sdk.BadRequestException, 400);
});

test('BatchUpdateAttendeeCapabilitiesExcept changes everyone but the excluded', T, async () => {
  const chime = client();
  const { Meeting, Attendees } = await chime.send(new sdk.CreateMeetingWithAttendeesCommand({ MediaRegion: 'us-east-1',
    Attendees: [{ ExternalUserId: 'host' }, { ExternalUserId: 'guest-1' }, { ExternalUserId: 'guest-2' }] }));
  const host = Attendees[0];
  await chime.send(new sdk.BatchUpdateAttendeeCapabilitiesExceptCommand({ MeetingId: Meeting.MeetingId,
    ExcludedAttendeeIds: [{ AttendeeId: host.AttendeeId }], Capabilities: { Audio: 'Receive', Video: 'Receive', Content: 'Receive' } }));
  const { Attendees: now } = await chime.send(new sdk.ListAttendeesCommand({ MeetingId: Meeting.MeetingId }));
  for (const a of now) {
    const want = a.AttendeeId === host.AttendeeId
      ? { Audio: 'SendReceive', Video: 'SendReceive', Content: 'SendReceive' }
      : { Audio: 'Receive', Video: 'Receive', Content: 'Receive' };
    assert.deepStrictEqual(a.Capabilities, want, a.ExternalUserId);
  }
  await rejectsWith(chime.send(new sdk.BatchUpdateAttendeeCapabilitiesExceptCommand({ MeetingId: Meeting.MeetingId,
    ExcludedAttendeeIds: [], Capabilities: { Audio: 'Receive', Video: 'Receive', Content: 'Receive' } })), sdk.BadRequestException, 400);
  await rejectsWith(chime.send(new sdk.BatchUpdateAttendeeCapabilitiesExceptCommand({ MeetingId: '00000000-0000-4000-8000-000000000000',
    ExcludedAttendeeIds: [{ AttendeeId: host.AttendeeId }], Capabilities: { Audio: 'Receive', Video: 'Receive', Content: 'Receive' } })),
  sdk.NotFoundException, 404);
});

test('tags: on CreateMeeting, TagResource, UntagResource, ListTagsForResource and their errors', T, async () => {
  const chime = client();
  const { Meeting } = await chime.send(new sdk.CreateMeetingCommand({ MediaRegion: 'us-east-1',
    Tags: [{ Key: 'team', Value: 'media' }, { Key: 'cost-center', Value: '42' }] }));
  const list = async () => (await chime.send(new sdk.ListTagsForResourceCommand({ ResourceARN: Meeting.MeetingArn }))).Tags;
  assert.deepStrictEqual(await list(), [{ Key: 'team', Value: 'media' }, { Key: 'cost-center', Value: '42' }]);
  await chime.send(new sdk.TagResourceCommand({ ResourceARN: Meeting.MeetingArn,
    Tags: [{ Key: 'env', Value: 'test' }, { Key: 'team', Value: 'rtc' }] }));
  assert.deepStrictEqual(await list(), [{ Key: 'team', Value: 'rtc' }, { Key: 'cost-center', Value: '42' }, { Key: 'env', Value: 'test' }]);
  await chime.send(new sdk.UntagResourceCommand({ ResourceARN: Meeting.MeetingArn, TagKeys: ['cost-center', 'absent'] }));
  assert.deepStrictEqual(await list(), [{ Key: 'team', Value: 'rtc' }, { Key: 'env', Value: 'test' }]);
  // More than 50 in all, the reserved prefix, a malformed ARN, an unknown meeting.
  const many = Array.from({ length: 49 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
  await rejectsWith(chime.send(new sdk.TagResourceCommand({ ResourceARN: Meeting.MeetingArn, Tags: many })), sdk.TooManyTagsException, 400);
  await rejectsWith(chime.send(new sdk.TagResourceCommand({ ResourceARN: Meeting.MeetingArn, Tags: [{ Key: 'aws:x', Value: '1' }] })),
    sdk.BadRequestException, 400);
  await rejectsWith(chime.send(new sdk.ListTagsForResourceCommand({ ResourceARN: 'not-an-arn' })), sdk.BadRequestException, 400);
  const gone = Meeting.MeetingArn.replace(Meeting.MeetingId, '00000000-0000-4000-8000-000000000000');
  await rejectsWith(chime.send(new sdk.ListTagsForResourceCommand({ ResourceARN: gone })), sdk.ResourceNotFoundException, 404);
  await rejectsWith(chime.send(new sdk.TagResourceCommand({ ResourceARN: gone, Tags: [{ Key: 'a', Value: 'b' }] })),
    sdk.ResourceNotFoundException, 404);
  assert.deepStrictEqual(await list(), [{ Key: 'team', Value: 'rtc' }, { Key: 'env', Value: 'test' }], 'refusals changed nothing');
  await chime.send(new sdk.DeleteMeetingCommand({ MeetingId: Meeting.MeetingId }));
  await rejectsWith(chime.send(new sdk.ListTagsForResourceCommand({ ResourceARN: Meeting.MeetingArn })), sdk.ResourceNotFoundException, 404);
});

test('transcription is refused with UnprocessableEntityException (no engine here)', T, async () => {
  const chime = client();
  const { Meeting } = await chime.send(new sdk.CreateMeetingCommand({ MediaRegion: 'us-east-1' }));
  await rejectsWith(chime.send(new sdk.StartMeetingTranscriptionCommand({ MeetingId: Meeting.MeetingId,
    TranscriptionConfiguration: { EngineTranscribeSettings: { LanguageCode: 'en-US' } } })), sdk.UnprocessableEntityException, 422);
  await rejectsWith(chime.send(new sdk.StopMeetingTranscriptionCommand({ MeetingId: Meeting.MeetingId })),
    sdk.UnprocessableEntityException, 422);
  await rejectsWith(chime.send(new sdk.StartMeetingTranscriptionCommand({ MeetingId: '00000000-0000-4000-8000-000000000000',
    TranscriptionConfiguration: {} })), sdk.NotFoundException, 404);
});
