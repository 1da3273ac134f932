// Bad input to the control API: each gets the right status and x-amzn-ErrorType, and the
// store is unchanged afterwards.
'use strict';
const { test, before, after, describe } = require('node:test');
const assert = require('node:assert');
const { startServer, request, signedRequest, snapshot } = require('./harness');

async function expectError(server, res, status, type) {
  assert.strictEqual(res.status, status, `${res.status} ${res.text}`);
  assert.strictEqual(res.headers.get('x-amzn-errortype'), type);
  if (res.json) assert.ok(res.json.Message, 'has a Message');
}

describe('unsigned server', () => {
  let server;
  let meetingId;
  before(async () => {
    server = await startServer(['--api-rate', '0', '--max-attendees', '5', '--log-level', 'warn']);
    const m = await request(server, 'POST', '/meetings', { ExternalMeetingId: 'bad-input' });
    meetingId = m.json.Meeting.MeetingId;
    await request(server, 'POST', `/meetings/${meetingId}/attendees`, { ExternalUserId: 'first' });
  });
  after(async () => { if (server) await server.stop(); });

  const cases = [
    ['malformed JSON', 'POST', () => '/meetings', '{"ExternalMeetingId":', 400, 'BadRequestException'],
    ['JSON that is not an object', 'POST', () => '/meetings', '[1]', 400, 'BadRequestException'],
    ['wrong type (number for string)', 'POST', () => '/meetings', '{"ExternalMeetingId":5}', 400, 'BadRequestException'],
    ['wrong type (array for string)', 'POST', (m) => `/meetings/${m}/attendees`, '{"ExternalUserId":["x"]}', 400, 'BadRequestException'],
    ['ExternalUserId too short', 'POST', (m) => `/meetings/${m}/attendees`, '{"ExternalUserId":"a"}', 400, 'BadRequestException'],
    ['ExternalUserId too long', 'POST', (m) => `/meetings/${m}/attendees`, JSON.stringify({ ExternalUserId: 'x'.repeat(65) }), 400, 'BadRequestException'],
    ['oversize body', 'POST', () => '/meetings', JSON.stringify({ ExternalMeetingId: 'y'.repeat(70 * 1024) }), 413, 'BadRequestException'],
    ['unknown meeting (GET)', 'GET', () => '/meetings/00000000-0000-4000-8000-000000000000', undefined, 404, 'NotFoundException'],
    ['unknown meeting (DELETE)', 'DELETE', () => '/meetings/00000000-0000-4000-8000-000000000000', undefined, 404, 'NotFoundException'],
    ['unknown meeting (attendees)', 'POST', () => '/meetings/nope/attendees', '{"ExternalUserId":"zed"}', 404, 'NotFoundException'],
    ['unknown attendee', 'GET', (m) => `/meetings/${m}/attendees/00000000-0000-4000-8000-000000000000`, undefined, 404, 'NotFoundException'],
    ['bad next-token', 'GET', (m) => `/meetings/${m}/attendees?next-token=%%%`, undefined, 400, 'BadRequestException'],
    ['max-results 0', 'GET', (m) => `/meetings/${m}/attendees?max-results=0`, undefined, 400, 'BadRequestException'],
    ['max-results 1000', 'GET', (m) => `/meetings/${m}/attendees?max-results=1000`, undefined, 400, 'BadRequestException'],
  ];
  for (const [name, method, path, body, status, type] of cases) {
    test(name, async () => {
      const before = await snapshot(server);
      const res = await request(server, method, path(meetingId), body);
      await expectError(server, res, status, type);
      assert.deepStrictEqual(await snapshot(server), before, 'state unchanged');
    });
  }

  test('attendee capacity: the one past the limit is LimitExceededException, batch reports Errors', async () => {
    for (const u of ['u2', 'u3', 'u4', 'u5']) {
      assert.strictEqual((await request(server, 'POST', `/meetings/${meetingId}/attendees`, { ExternalUserId: u })).status, 200);
    }
    const before = await snapshot(server);
    await expectError(server, await request(server, 'POST', `/meetings/${meetingId}/attendees`, { ExternalUserId: 'u6' }), 400, 'LimitExceededException');
    const batch = await request(server, 'POST', `/meetings/${meetingId}/attendees?operation=batch-create`,
      { Attendees: [{ ExternalUserId: 'u7' }, { ExternalUserId: 'u8' }] });
    assert.strictEqual(batch.status, 200);
    assert.strictEqual(batch.json.Errors.length, 2);
    assert.strictEqual(batch.json.Errors[0].ErrorCode, 'LimitExceeded');
    assert.deepStrictEqual(await snapshot(server), before, 'state unchanged');
  });

  test('replayed ClientRequestToken with different parameters', async () => {
    await request(server, 'POST', '/meetings', { ClientRequestToken: 'replay-1', ExternalMeetingId: 'aa' });
    const before = await snapshot(server);
    await expectError(server, await request(server, 'POST', '/meetings', { ClientRequestToken: 'replay-1', ExternalMeetingId: 'bb' }), 409, 'ConflictException');
    assert.deepStrictEqual(await snapshot(server), before);
  });
});

describe('signed server', () => {
  let server;
  const key = { accessKeyId: 'AKIDBAD', secretAccessKey: 'right-secret' };
  before(async () => { server = await startServer(['--api-key', `${key.accessKeyId}:${key.secretAccessKey}`, '--log-level', 'error']); });
  after(async () => { if (server) await server.stop(); });

  test('a correct signature works', async () => {
    const r = await signedRequest(server, 'POST', '/meetings', { ExternalMeetingId: 'signed' }, key);
    assert.strictEqual(r.status, 200, r.text);
  });

  test('bad, garbage and missing signatures are 403 and change nothing', async () => {
    const before = await snapshot(server);
    await expectError(server, await signedRequest(server, 'POST', '/meetings', {}, { ...key, secretAccessKey: 'wrong' }), 403, 'ForbiddenException');
    await expectError(server, await request(server, 'POST', '/meetings', {}, { Authorization: 'AWS4-HMAC-SHA256 garbage' }), 403, 'ForbiddenException');
    await expectError(server, await request(server, 'POST', '/meetings', {}), 403, 'ForbiddenException');
    assert.deepStrictEqual(await snapshot(server), before);
  });
});

describe('rate limit', () => {
  let server;
  // A slow bucket (1/s, burst 5) so the outcome does not depend on how fast requests go out.
  before(async () => { server = await startServer(['--api-rate', '1', '--api-burst', '5', '--log-level', 'error']); });
  after(async () => { if (server) await server.stop(); });

  test('past the burst, 429 ThrottlingException; only accepted requests create meetings', async () => {
    const results = await Promise.all(Array.from({ length: 40 }, () => request(server, 'POST', '/meetings', {})));
    const ok = results.filter((r) => r.status === 200).length;
    const throttled = results.filter((r) => r.status === 429);
    assert.ok(ok >= 5, `the burst is honoured: ${ok} accepted`);
    assert.ok(throttled.length > 0, `throttled ${throttled.length} of 40`);
    for (const t of throttled) assert.strictEqual(t.headers.get('x-amzn-errortype'), 'ThrottlingException');
    assert.strictEqual(ok + throttled.length, 40);
    assert.strictEqual((await snapshot(server)).meetings, ok);
  });
});
