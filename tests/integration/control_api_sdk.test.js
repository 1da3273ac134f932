// The real @aws-sdk/client-chime-sdk-meetings against sfu-server with a configured key:
// every operation, paging, and the right exception classes for missing things and bad keys.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert');
const { startServer, requireWeb } = require('./harness');

const sdk = requireWeb('@aws-sdk/client-chime-sdk-meetings');
const KEY = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret-test-key' };
let server;
let chime;

function client(credentials) {
  return new sdk.ChimeSDKMeetingsClient({ endpoint: server.url, region: 'us-east-1', credentials, maxAttempts: 1 });
}

before(async () => {
  server = await startServer(['--api-key', `${KEY.accessKeyId}:${KEY.secretAccessKey}`, '--api-rate', '0', '--log-level', 'warn']);
  chime = client(KEY);
});
after(async () => { if (server) await server.stop(); });

test('CreateMeeting returns a Chime-shaped meeting', async () => {
  const { Meeting } = await chime.send(new sdk.CreateMeetingCommand({
    ClientRequestToken: 'sdk-token-1', ExternalMeetingId: 'standup', MediaRegion: 'eu-central-1',
    MeetingFeatures: { Video: { MaxResolution: 'FHD' } },
  }));
  assert.match(Meeting.MeetingId, /^[0-9a-f-]{36}$/);
  assert.strictEqual(Meeting.ExternalMeetingId, 'standup');
  assert.strictEqual(Meeting.MediaRegion, 'eu-central-1');
  assert.strictEqual(Meeting.MeetingArn, `arn:aws:chime:eu-central-1:000000000000:meeting/${Meeting.MeetingId}`);
  assert.strictEqual(Meeting.MeetingFeatures.Video.MaxResolution, 'FHD');
  const mp = Meeting.MediaPlacement;
  assert.ok(mp.AudioHostUrl.length > 0);
  assert.strictEqual(mp.SignalingUrl, `ws://127.0.0.1:${server.port}/control/${Meeting.MeetingId}`);
  for (const k of ['AudioFallbackUrl', 'TurnControlUrl', 'ScreenDataUrl', 'ScreenSharingUrl', 'ScreenViewingUrl']) assert.ok(mp[k], k);
  assert.strictEqual(mp.EventIngestionUrl, undefined);
  // Idempotent replay through the SDK too.
  const again = await chime.send(new sdk.CreateMeetingCommand({
    ClientRequestToken: 'sdk-token-1', ExternalMeetingId: 'standup', MediaRegion: 'eu-central-1',
    MeetingFeatures: { Video: { MaxResolution: 'FHD' } },
  }));
  assert.strictEqual(again.Meeting.MeetingId, Meeting.MeetingId);
});

test('attendees: create, batch create, list with paging, get, delete', async () => {
  const { Meeting } = await chime.send(new sdk.CreateMeetingCommand({ MediaRegion: 'us-east-1', ExternalMeetingId: 'attendees' }));
  const id = Meeting.MeetingId;
  const { Attendee } = await chime.send(new sdk.CreateAttendeeCommand({ MeetingId: id, ExternalUserId: 'alice' }));
  assert.match(Attendee.AttendeeId, /^[0-9a-f-]{36}$/);
  assert.match(Attendee.JoinToken, /^[A-Za-z0-9_-]{66}$/);
  assert.strictEqual(Attendee.ExternalUserId, 'alice');
  assert.deepStrictEqual(Attendee.Capabilities, { Audio: 'SendReceive', Video: 'SendReceive', Content: 'SendReceive' });

  const batch = await chime.send(new sdk.BatchCreateAttendeeCommand({
    MeetingId: id, Attendees: ['bob', 'carol', 'dave', 'erin'].map((u) => ({ ExternalUserId: u })),
  }));
  assert.strictEqual(batch.Attendees.length, 4);
  assert.deepStrictEqual(batch.Errors, []);

  const seen = new Set();
  let NextToken;
  let pages = 0;
  do {
    const page = await chime.send(new sdk.ListAttendeesCommand({ MeetingId: id, MaxResults: 2, NextToken }));
    for (const a of page.Attendees) {
      assert.ok(!seen.has(a.AttendeeId), 'no attendee twice');
      seen.add(a.AttendeeId);
    }
    NextToken = page.NextToken;
    pages += 1;
  } while (NextToken && pages < 10);
  assert.strictEqual(pages, 3);
  assert.strictEqual(seen.size, 5);

  const got = await chime.send(new sdk.GetAttendeeCommand({ MeetingId: id, AttendeeId: Attendee.AttendeeId }));
  assert.strictEqual(got.Attendee.JoinToken, Attendee.JoinToken);
  await chime.send(new sdk.DeleteAttendeeCommand({ MeetingId: id, AttendeeId: Attendee.AttendeeId }));
  await assert.rejects(chime.send(new sdk.GetAttendeeCommand({ MeetingId: id, AttendeeId: Attendee.AttendeeId })),
    (e) => e instanceof sdk.NotFoundException && e.name === 'NotFoundException');
});

test('CreateMeetingWithAttendees, GetMeeting, DeleteMeeting', async () => {
  const r = await chime.send(new sdk.CreateMeetingWithAttendeesCommand({
    MediaRegion: 'us-east-1', ExternalMeetingId: 'with-attendees',
    Attendees: [{ ExternalUserId: 'u-one' }, { ExternalUserId: 'u-two' }],
  }));
  assert.strictEqual(r.Attendees.length, 2);
  const id = r.Meeting.MeetingId;
  const got = await chime.send(new sdk.GetMeetingCommand({ MeetingId: id }));
  assert.strictEqual(got.Meeting.ExternalMeetingId, 'with-attendees');
  await chime.send(new sdk.DeleteMeetingCommand({ MeetingId: id }));
  await assert.rejects(chime.send(new sdk.GetMeetingCommand({ MeetingId: id })),
    (e) => e instanceof sdk.NotFoundException);
});

test('service errors surface as the SDK exception classes', async () => {
  const { Meeting } = await chime.send(new sdk.CreateMeetingCommand({ MediaRegion: 'us-east-1' }));
  await assert.rejects(chime.send(new sdk.CreateAttendeeCommand({ MeetingId: Meeting.MeetingId, ExternalUserId: 'x' })),
    (e) => e instanceof sdk.BadRequestException);
  await assert.rejects(chime.send(new sdk.CreateMeetingCommand({ MediaRegion: 'us-east-1', ClientRequestToken: 'sdk-token-1', ExternalMeetingId: 'different' })),
    (e) => e.name === 'ConflictException' && e.$metadata.httpStatusCode === 409);
});

test('a wrong secret or an unknown key gets ForbiddenException', async () => {
  for (const creds of [{ ...KEY, secretAccessKey: 'wrong' }, { accessKeyId: 'NOPE', secretAccessKey: 'x' }]) {
    await assert.rejects(client(creds).send(new sdk.CreateMeetingCommand({ MediaRegion: 'us-east-1' })),
      (e) => e instanceof sdk.ForbiddenException && e.$metadata.httpStatusCode === 403);
  }
});
