// Bad input to the control API: every case gets the right status and x-amzn-ErrorType (with
// an AWS-style JSON body), and the visible state (sfu_meetings, sfu_attendees and the attendee
// list of the test meeting) is the same before and after.
'use strict';
const { test, describe, before } = require('node:test');
const assert = require('node:assert');
const http = require('node:http');
const { useServer, assertError, signV4Manually, loadSmithySigner, signHeaders } = require('./helpers');

const T = { timeout: 15000 };
const NO_MEETING = '00000000-0000-4000-8000-000000000000';

describe('unsigned server with --max-attendees 5', () => {
  const srv = useServer({ args: ['--api-rate', '0', '--max-attendees', '5'] });
  let meetingId; // a meeting with one attendee ('first'), then full (5)
  let attendeeId;
  before(async () => {
    meetingId = (await srv().request('POST', '/meetings', { ExternalMeetingId: 'bad-input' })).json.Meeting.MeetingId;
    attendeeId = (await srv().request('POST', `/meetings/${meetingId}/attendees`, { ExternalUserId: 'first' })).json.Attendee.AttendeeId;
  });

  // Runs the request and checks the error and that nothing changed.
  async function expectRejected(method, path, body, status, type, opts) {
    const before = await srv().snapshot([meetingId]);
    const res = await srv().request(method, path, body);
    assertError(assert, res, status, type, opts);
    assert.deepStrictEqual(await srv().snapshot([meetingId]), before, 'state unchanged');
    return res;
  }

  const m = () => `/meetings/${meetingId}`;
  const att = () => `/meetings/${meetingId}/attendees`;
  const cases = [
    // [name, method, path(), body, status, x-amzn-ErrorType]
    ['malformed JSON', 'POST', () => '/meetings', '{"ExternalMeetingId":', 400, 'BadRequestException'],
    ['malformed JSON (attendee)', 'POST', att, '{"ExternalUserId":"abc"', 400, 'BadRequestException'],
    ['trailing garbage after JSON', 'POST', () => '/meetings', '{"ExternalMeetingId":"abc"} x', 400, 'BadRequestException'],
    ['invalid UTF-8', 'POST', () => '/meetings', Buffer.from([0x7b, 0x22, 0x45, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 400, 'BadRequestException'],
    ['JSON nested too deep', 'POST', () => '/meetings', '['.repeat(60000), 400, 'BadRequestException'],
    ['non-object JSON (array)', 'POST', () => '/meetings', '[1]', 400, 'BadRequestException'],
    ['non-object JSON (null)', 'POST', att, 'null', 400, 'BadRequestException'],
    ['non-object JSON (string)', 'POST', () => '/meetings?operation=create-attendees', '"x"', 400, 'BadRequestException'],
    ['wrong type: ExternalMeetingId number', 'POST', () => '/meetings', '{"ExternalMeetingId":5}', 400, 'BadRequestException'],
    ['wrong type: ExternalUserId array', 'POST', att, '{"ExternalUserId":["x"]}', 400, 'BadRequestException'],
    ['wrong type: MediaRegion number', 'POST', () => '/meetings', '{"MediaRegion":5}', 400, 'BadRequestException'],
    ['wrong type: ClientRequestToken number', 'POST', () => '/meetings', '{"ClientRequestToken":12345}', 400, 'BadRequestException'],
    ['wrong type: MeetingFeatures string', 'POST', () => '/meetings', '{"MeetingFeatures":"x"}', 400, 'BadRequestException'],
    ['ExternalUserId missing', 'POST', att, '{}', 400, 'BadRequestException'],
    ['ExternalUserId too short (1)', 'POST', att, '{"ExternalUserId":"a"}', 400, 'BadRequestException'],
    ['ExternalUserId too long (65)', 'POST', att, JSON.stringify({ ExternalUserId: 'x'.repeat(65) }), 400, 'BadRequestException'],
    ['ExternalMeetingId too short (1)', 'POST', () => '/meetings', '{"ExternalMeetingId":"a"}', 400, 'BadRequestException'],
    ['ExternalMeetingId too long (65)', 'POST', () => '/meetings', JSON.stringify({ ExternalMeetingId: 'm'.repeat(65) }), 400, 'BadRequestException'],
    ['ClientRequestToken too short', 'POST', () => '/meetings', '{"ClientRequestToken":"a"}', 400, 'BadRequestException'],
    ['ClientRequestToken too long', 'POST', () => '/meetings', JSON.stringify({ ClientRequestToken: 't'.repeat(65) }), 400, 'BadRequestException'],
    ['ClientRequestToken bad characters', 'POST', () => '/meetings', '{"ClientRequestToken":"a b/c"}', 400, 'BadRequestException'],
    ['batch-create: Attendees missing', 'POST', () => `${att()}?operation=batch-create`, '{}', 400, 'BadRequestException'],
    ['batch-create: 0 attendees', 'POST', () => `${att()}?operation=batch-create`, '{"Attendees":[]}', 400, 'BadRequestException'],
    ['batch-create: 101 attendees', 'POST', () => `${att()}?operation=batch-create`,
      JSON.stringify({ Attendees: Array.from({ length: 101 }, (_, i) => ({ ExternalUserId: `user-${i}` })) }), 400, 'BadRequestException'],
    ['batch-create: an invalid entry', 'POST', () => `${att()}?operation=batch-create`,
      '{"Attendees":[{"ExternalUserId":"fine-1"},{"ExternalUserId":"b"}]}', 400, 'BadRequestException'],
    ['create-attendees: 11 attendees', 'POST', () => '/meetings?operation=create-attendees',
      JSON.stringify({ Attendees: Array.from({ length: 11 }, (_, i) => ({ ExternalUserId: `user-${i}` })) }), 400, 'BadRequestException'],
    ['create-attendees: an invalid entry', 'POST', () => '/meetings?operation=create-attendees',
      '{"Attendees":[{"ExternalUserId":"x"}]}', 400, 'BadRequestException'],
    ['create-attendees: more than --max-attendees', 'POST', () => '/meetings?operation=create-attendees',
      JSON.stringify({ Attendees: Array.from({ length: 6 }, (_, i) => ({ ExternalUserId: `user-${i}` })) }), 400, 'LimitExceededException'],
    ['unknown meeting: GET', 'GET', () => `/meetings/${NO_MEETING}`, undefined, 404, 'NotFoundException'],
    ['unknown meeting: DELETE', 'DELETE', () => `/meetings/${NO_MEETING}`, undefined, 404, 'NotFoundException'],
    ['unknown meeting: not a UUID', 'GET', () => '/meetings/not-a-meeting', undefined, 404, 'NotFoundException'],
    ['unknown meeting: CreateAttendee', 'POST', () => `/meetings/${NO_MEETING}/attendees`, '{"ExternalUserId":"zed"}', 404, 'NotFoundException'],
    ['unknown meeting: BatchCreateAttendee', 'POST', () => `/meetings/${NO_MEETING}/attendees?operation=batch-create`,
      '{"Attendees":[{"ExternalUserId":"zed"}]}', 404, 'NotFoundException'],
    ['unknown meeting: ListAttendees', 'GET', () => `/meetings/${NO_MEETING}/attendees`, undefined, 404, 'NotFoundException'],
    ['unknown meeting: GetAttendee', 'GET', () => `/meetings/${NO_MEETING}/attendees/${attendeeId}`, undefined, 404, 'NotFoundException'],
    ['unknown meeting: DeleteAttendee', 'DELETE', () => `/meetings/${NO_MEETING}/attendees/${attendeeId}`, undefined, 404, 'NotFoundException'],
    ['unknown attendee: GET', 'GET', () => `${att()}/${NO_MEETING}`, undefined, 404, 'NotFoundException'],
    ['unknown attendee: DELETE', 'DELETE', () => `${att()}/${NO_MEETING}`, undefined, 404, 'NotFoundException'],
    ['unknown operation', 'POST', () => `${att()}?operation=frobnicate`, '{"ExternalUserId":"zed"}', 404, 'NotFoundException'],
    ['next-token: garbage', 'GET', () => `${att()}?next-token=%25%25%25`, undefined, 400, 'BadRequestException'],
    ['next-token: valid base64, not a token', 'GET', () => `${att()}?next-token=AAAA`, undefined, 400, 'BadRequestException'],
    ['next-token: very long', 'GET', () => `${att()}?next-token=${'A'.repeat(5000)}`, undefined, 400, 'BadRequestException'],
    ['max-results 0', 'GET', () => `${att()}?max-results=0`, undefined, 400, 'BadRequestException'],
    ['max-results 1000', 'GET', () => `${att()}?max-results=1000`, undefined, 400, 'BadRequestException'],
    ['max-results 101', 'GET', () => `${att()}?max-results=101`, undefined, 400, 'BadRequestException'],
    ['max-results -1', 'GET', () => `${att()}?max-results=-1`, undefined, 400, 'BadRequestException'],
    ['max-results not a number', 'GET', () => `${att()}?max-results=abc`, undefined, 400, 'BadRequestException'],
    ['max-results 1.5', 'GET', () => `${att()}?max-results=1.5`, undefined, 400, 'BadRequestException'],
  ];
  for (const [name, method, path, body, status, type] of cases) {
    test(name, T, () => expectRejected(method, path(), body, status, type));
  }

  test('the meeting itself is still intact after all of the above', T, async () => {
    const r = await srv().request('GET', `${m()}/attendees/${attendeeId}`);
    assert.strictEqual(r.status, 200);
    assert.strictEqual(r.json.Attendee.ExternalUserId, 'first');
  });

  // 413 is answered before the body is read (by the HTTP layer), still AWS-shaped with a RequestId.
  test('oversize body (70 KB) => 413 BadRequestException', T, async () => {
    const big = JSON.stringify({ ExternalMeetingId: 'y'.repeat(70 * 1024) });
    await expectRejected('POST', '/meetings', big, 413, 'BadRequestException', { requestId: false });
    await expectRejected('POST', att(), JSON.stringify({ ExternalUserId: 'z'.repeat(70 * 1024) }), 413,
      'BadRequestException', { requestId: false });
  });

  test('oversize chunked body (no Content-Length) => 413', T, async () => {
    const before = await srv().snapshot([meetingId]);
    const chunk = Buffer.alloc(8192, 0x61);
    const status = await new Promise((resolve, reject) => {
      const r = http.request({ host: '127.0.0.1', port: srv().port, method: 'POST', path: '/meetings',
        headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      r.on('error', (e) => (e.code === 'EPIPE' || e.code === 'ECONNRESET' ? resolve('reset') : reject(e)));
      r.write('{"ExternalMeetingId":"');
      for (let i = 0; i < 9; i += 1) r.write(chunk);
      r.end('"}');
    });
    assert.ok(status === 413 || status === 'reset', `status ${status}`);
    assert.deepStrictEqual(await srv().snapshot([meetingId]), before);
  });

  test('a body of exactly --max-body-bytes is read (and judged on its content)', T, async () => {
    const pad = 65536 - JSON.stringify({ ExternalMeetingId: '' }).length;
    const res = await expectRejected('POST', '/meetings', JSON.stringify({ ExternalMeetingId: 'q'.repeat(pad) }), 400, 'BadRequestException');
    assert.match(res.json.Message, /ExternalMeetingId/);
  });

  test('413 carries x-amzn-RequestId like every other response', T, async () => {
    const res = await srv().request('POST', '/meetings', JSON.stringify({ ExternalMeetingId: 'y'.repeat(70 * 1024) }));
    assertError(assert, res, 413, 'BadRequestException');
  });

  test('attendee limit: the 6th is LimitExceededException; batch past the limit reports Errors', T, async () => {
    // 'first' exists; four more fill the meeting.
    for (const u of ['u2-user', 'u3-user', 'u4-user', 'u5-user']) {
      assert.strictEqual((await srv().request('POST', `${att()}`, { ExternalUserId: u })).status, 200);
    }
    const res = await expectRejected('POST', att(), { ExternalUserId: 'u6-user' }, 400, 'LimitExceededException');
    assert.match(res.json.Message, /5/);

    const before = await srv().snapshot([meetingId]);
    const batch = await srv().request('POST', `${att()}?operation=batch-create`,
      { Attendees: [{ ExternalUserId: 'u7-user' }, { ExternalUserId: 'u8-user' }] });
    assert.strictEqual(batch.status, 200, batch.text);
    assert.deepStrictEqual(batch.json.Attendees, []);
    assert.deepStrictEqual(batch.json.Errors.map((e) => [e.ExternalUserId, e.ErrorCode]),
      [['u7-user', 'LimitExceeded'], ['u8-user', 'LimitExceeded']]);
    assert.ok(batch.json.Errors.every((e) => typeof e.ErrorMessage === 'string' && e.ErrorMessage.length > 0));
    assert.deepStrictEqual(await srv().snapshot([meetingId]), before, 'state unchanged');

    // An existing ExternalUserId still returns its attendee at capacity.
    const existing = await srv().request('POST', att(), { ExternalUserId: 'first' });
    assert.strictEqual(existing.status, 200);
    assert.strictEqual(existing.json.Attendee.AttendeeId, attendeeId);
  });

  test('batch-create across the limit: the ones that fit are created, the rest are Errors', T, async () => {
    const id = (await srv().request('POST', '/meetings', {})).json.Meeting.MeetingId;
    const users = Array.from({ length: 8 }, (_, i) => `batch-${i}`);
    const batch = await srv().request('POST', `/meetings/${id}/attendees?operation=batch-create`,
      { Attendees: users.map((u) => ({ ExternalUserId: u })) });
    assert.strictEqual(batch.status, 200, batch.text);
    assert.deepStrictEqual(batch.json.Attendees.map((a) => a.ExternalUserId), users.slice(0, 5));
    assert.deepStrictEqual(batch.json.Errors.map((e) => [e.ExternalUserId, e.ErrorCode]),
      users.slice(5).map((u) => [u, 'LimitExceeded']));
    const snap = await srv().snapshot([id]);
    assert.strictEqual(snap.lists[id].length, 5);
  });

  test('replayed ClientRequestToken with different parameters => 409, nothing created', T, async () => {
    const first = await srv().request('POST', '/meetings', { ClientRequestToken: 'replay-1', ExternalMeetingId: 'aa-meeting' });
    assert.strictEqual(first.status, 200);
    await expectRejected('POST', '/meetings', { ClientRequestToken: 'replay-1', ExternalMeetingId: 'bb-meeting' }, 409, 'ConflictException');
    await expectRejected('POST', '/meetings', { ClientRequestToken: 'replay-1' }, 409, 'ConflictException');
    await expectRejected('POST', '/meetings', { ClientRequestToken: 'replay-1', ExternalMeetingId: 'aa-meeting', MediaRegion: 'eu-west-1' },
      409, 'ConflictException');
    const again = await srv().request('POST', '/meetings', { ClientRequestToken: 'replay-1', ExternalMeetingId: 'aa-meeting' });
    assert.strictEqual(again.json.Meeting.MeetingId, first.json.Meeting.MeetingId);
  });
});

describe('signed server (--api-key)', () => {
  const KEY = { accessKeyId: 'AKIDBAD', secretAccessKey: 'right-secret' };
  const srv = useServer({ args: ['--api-key', `${KEY.accessKeyId}:${KEY.secretAccessKey}`, '--api-key', 'AKIDOTHER:other-secret'] });

  async function expectForbidden(promiseOfRes) {
    const before = await srv().metrics();
    const res = await promiseOfRes();
    assertError(assert, res, 403, 'ForbiddenException');
    const after = await srv().metrics();
    assert.strictEqual(after.get('sfu_meetings'), before.get('sfu_meetings'), 'no meeting created');
    assert.strictEqual(after.get('sfu_attendees'), before.get('sfu_attendees'), 'no attendee created');
    return res;
  }

  test('correctly signed requests work (SDK signer and the helper\'s own signer, any region)', T, async () => {
    // Distinct bodies: an identical CreateMeeting without ClientRequestToken signed in the same
    // second is a replay to the server (docs/SECURITY.md, "Replay").
    let n = 0;
    for (const opts of [{}, { manual: true }, { region: 'eu-central-1' }, { manual: true, region: 'ap-south-1' }]) {
      const r = await srv().signedRequest('POST', '/meetings', { ExternalMeetingId: `signed-${n++}` }, KEY, opts);
      assert.strictEqual(r.status, 200, `${JSON.stringify(opts)}: ${r.text}`);
    }
    const other = await srv().signedRequest('POST', '/meetings', {}, { accessKeyId: 'AKIDOTHER', secretAccessKey: 'other-secret' });
    assert.strictEqual(other.status, 200, 'second --api-key works too');
    const id = other.json.Meeting.MeetingId;
    const list = await srv().signedRequest('GET', `/meetings/${id}/attendees?max-results=5`, undefined, KEY);
    assert.strictEqual(list.status, 200, list.text);
  });

  test('the helper\'s own SigV4 signer matches @smithy/signature-v4', { ...T, skip: !loadSmithySigner() && 'no @smithy/signature-v4' }, async () => {
    const date = new Date('2024-05-06T07:08:09Z');
    for (const p of ['/meetings', '/meetings/abc/attendees?max-results=2&next-token=c2VxOjI', '/meetings?operation=create-attendees']) {
      const a = await signHeaders(srv(), 'POST', p, '{"x":1}', KEY, { date });
      const b = await signHeaders(srv(), 'POST', p, '{"x":1}', KEY, { date, manual: true });
      assert.strictEqual(b.authorization, a.authorization, p);
    }
    assert.match(signV4Manually({ method: 'GET', host: 'h', pathname: '/', query: {}, headers: {}, body: '',
      accessKeyId: 'A', secretAccessKey: 'S', region: 'r', service: 'chime', date }).authorization, /^AWS4-HMAC-SHA256 Credential=A\/20240506\/r\/chime\/aws4_request, /);
  });

  test('signed with the wrong secret => 403', T, () =>
    expectForbidden(() => srv().signedRequest('POST', '/meetings', {}, { ...KEY, secretAccessKey: 'wrong-secret' })));
  test('signed with an unknown access key => 403', T, () =>
    expectForbidden(() => srv().signedRequest('POST', '/meetings', {}, { accessKeyId: 'AKIDNOPE', secretAccessKey: KEY.secretAccessKey })));
  test('another key\'s id with this key\'s secret => 403', T, () =>
    expectForbidden(() => srv().signedRequest('POST', '/meetings', {}, { accessKeyId: 'AKIDOTHER', secretAccessKey: KEY.secretAccessKey })));
  test('garbage Authorization header => 403', T, () =>
    expectForbidden(() => srv().request('POST', '/meetings', {}, { Authorization: 'AWS4-HMAC-SHA256 garbage' })));
  test('non-SigV4 Authorization header => 403', T, () =>
    expectForbidden(() => srv().request('POST', '/meetings', {}, { Authorization: 'Bearer abc.def.ghi' })));
  test('no Authorization header => 403', T, () => expectForbidden(() => srv().request('POST', '/meetings', {})));
  test('no Authorization header on a read => 403', T, () => expectForbidden(() => srv().request('GET', `/meetings/${'0'.repeat(8)}-0000-4000-8000-000000000000`)));
  test('body changed after signing => 403', T, () =>
    expectForbidden(() => srv().signedRequest('POST', '/meetings', { ExternalMeetingId: 'signed-body' }, KEY,
      { tamper: (p) => p.replace('signed-body', 'forged-body') })));
  test('query changed after signing => 403', T, async () => {
    const headers = await signHeaders(srv(), 'GET', `/meetings/${'0'.repeat(8)}-0000-4000-8000-000000000000/attendees?max-results=2`, '', KEY);
    delete headers.host;
    await expectForbidden(() => srv().request('GET', `/meetings/${'0'.repeat(8)}-0000-4000-8000-000000000000/attendees?max-results=3`, undefined, headers));
  });
  test('signature an hour old => 403', T, () =>
    expectForbidden(() => srv().signedRequest('POST', '/meetings', {}, KEY, { date: new Date(Date.now() - 3600 * 1000) })));
});

describe('rate limit (defaults: 10/s, burst 20)', () => {
  const srv = useServer({ args: [] });

  test('40 quick requests: some 429 ThrottlingException; meetings created == number of 200s', T, async () => {
    const before = (await srv().metrics()).get('sfu_meetings');
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) =>
      srv().request('POST', '/meetings', { ExternalMeetingId: `rate-${i}` })));
    const ok = results.filter((r) => r.status === 200);
    const throttled = results.filter((r) => r.status === 429);
    assert.strictEqual(ok.length + throttled.length, 40, `statuses: ${results.map((r) => r.status)}`);
    assert.ok(ok.length >= 20, `the burst of 20 is honoured (${ok.length} accepted)`);
    assert.ok(ok.length <= 30, `no more than burst + a few refills (${ok.length} accepted)`);
    assert.ok(throttled.length >= 10, `${throttled.length} throttled`);
    for (const t of throttled) assertError(assert, t, 429, 'ThrottlingException');
    assert.strictEqual(new Set(ok.map((r) => r.json.Meeting.MeetingId)).size, ok.length);
    assert.strictEqual((await srv().metrics()).get('sfu_meetings') - before, ok.length, 'one meeting per 200');
    // /healthz and /metrics are not throttled.
    assert.strictEqual((await srv().request('GET', '/healthz')).status, 200);
    // The bucket refills: after a second, requests pass again.
    await new Promise((r) => setTimeout(r, 1100));
    assert.strictEqual((await srv().request('POST', '/meetings', {})).status, 200);
  });

  test('the limit is per caller: another loopback source address has its own bucket', T, async () => {
    const post = (localAddress) => new Promise((resolve, reject) => {
      const r = http.request({ host: '127.0.0.1', port: srv().port, method: 'POST', path: '/meetings', localAddress,
        headers: { 'Content-Type': 'application/json' } }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); });
      r.on('error', reject);
      r.end('{}');
    });
    const from1 = await Promise.all(Array.from({ length: 30 }, () => post('127.0.0.1')));
    assert.ok(from1.includes(429), '127.0.0.1 is throttled');
    const from2 = await Promise.all(Array.from({ length: 10 }, () => post('127.0.0.2')));
    assert.deepStrictEqual(from2, Array(10).fill(200), '127.0.0.2 is not');
  });
});

describe('rate limit per access key', () => {
  const A = { accessKeyId: 'AKIDA', secretAccessKey: 'secret-a' };
  const B = { accessKeyId: 'AKIDB', secretAccessKey: 'secret-b' };
  const srv = useServer({ args: ['--api-rate', '1', '--api-burst', '3', '--api-key', 'AKIDA:secret-a', '--api-key', 'AKIDB:secret-b'] });

  test('one key past its burst does not throttle another', T, async () => {
    const a = [];
    for (let i = 0; i < 5; i += 1) a.push(await srv().signedRequest('POST', '/meetings', { ClientRequestToken: `a-${i}-token` }, A));
    assert.deepStrictEqual(a.map((r) => r.status).slice(0, 3), [200, 200, 200]);
    assert.ok(a.slice(3).every((r) => r.status === 429));
    a.slice(3).forEach((r) => assertError(assert, r, 429, 'ThrottlingException'));
    const b = [];
    for (let i = 0; i < 3; i += 1) b.push(await srv().signedRequest('POST', '/meetings', { ClientRequestToken: `b-${i}-token` }, B));
    assert.deepStrictEqual(b.map((r) => r.status), [200, 200, 200]);
  });
});
