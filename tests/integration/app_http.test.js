// The meeting app over HTTP, no browser: its pages, POST /app/join answering {Meeting, Attendee}
// as a Chime server application would, every refusal (body, names, content type, password, rate,
// --app off) with a clear AWS-style error and nothing created, and the Content-Security-Policy
// with its companions on everything the listener serves.
'use strict';
const { test, describe, before } = require('node:test');
const assert = require('node:assert');
const { useServer, request, snapshot } = require('./helpers');

const T = { timeout: 20000 };
const join = (srv, body, headers) => request(srv, 'POST', '/app/join', body, headers);

function assertSecurityHeaders(res, what) {
  const csp = res.headers.get('content-security-policy') || '';
  for (const part of ["default-src 'self'", "script-src 'self';", "connect-src 'self' ws://127.0.0.1:",
    'worker-src blob:', 'child-src blob:', "frame-ancestors 'none'"]) {
    assert.ok(csp.includes(part), `${what}: CSP has ${part}: ${csp}`);
  }
  assert.ok(!csp.includes('unsafe'), `${what}: no unsafe-* in ${csp}`);
  assert.strictEqual(res.headers.get('x-content-type-options'), 'nosniff', what);
  assert.strictEqual(res.headers.get('referrer-policy'), 'no-referrer', what);
}

describe('default server (app on, no password)', () => {
  const srv = useServer({ args: ['--echo-endpoint'] });

  test('pages: / and /<meeting> serve the app, assets gzip, other files 404', T, async () => {
    for (const p of ['/', '/design-review']) {
      const r = await request(srv(), 'GET', p);
      assert.strictEqual(r.status, 200, p);
      assert.match(r.headers.get('content-type'), /^text\/html/);
      assert.ok(r.text.includes('<script src="/app/app.js" defer></script>'));
      assert.ok(!/<script>|style="|on(click|load)=/.test(r.text), 'no inline script, style or handler');
    }
    const js = await fetch(`${srv().url}/app/app.js`, { headers: { 'Accept-Encoding': 'gzip' } });
    assert.strictEqual(js.status, 200);
    assert.strictEqual(js.headers.get('content-encoding'), 'gzip');
    const etag = js.headers.get('etag');
    await js.arrayBuffer();
    const again = await fetch(`${srv().url}/app/app.js`, { headers: { 'If-None-Match': etag } });
    assert.strictEqual(again.status, 304);
    for (const p of ['/favicon.ico', '/app/missing.js', '/a/b']) assert.strictEqual((await request(srv(), 'GET', p)).status, 404, p);
    const info = await request(srv(), 'GET', '/app/info');
    assert.deepStrictEqual(info.json, { passwordRequired: false });
  });

  test('the security headers are on every kind of response', T, async () => {
    const responses = [
      ['GET /', await request(srv(), 'GET', '/')],
      ['GET /app/app.js', await request(srv(), 'GET', '/app/app.js')],
      ['GET /app/info', await request(srv(), 'GET', '/app/info')],
      ['GET /metrics', await request(srv(), 'GET', '/metrics')],
      ['GET /healthz', await request(srv(), 'GET', '/healthz')],
      ['POST /meetings', await request(srv(), 'POST', '/meetings', { ExternalMeetingId: 'csp' })],
      ['GET /meetings/<unknown> (404)', await request(srv(), 'GET', '/meetings/00000000-0000-4000-8000-000000000000')],
      ['POST /app/join (400)', await join(srv(), '{}')],
      ['413 from the listener', await request(srv(), 'POST', '/meetings', 'x'.repeat(70000))],
      ['GET /echo', await request(srv(), 'GET', '/echo')],
      ['GET /echo.js', await request(srv(), 'GET', '/echo.js')],
    ];
    for (const [what, r] of responses) assertSecurityHeaders(r, what);
    const echo = responses.find(([w]) => w === 'GET /echo')[1];
    assert.ok(echo.text.includes('<script src="/echo.js" defer>') && !echo.text.includes('<script>'), 'echo page: no inline script');
    assert.match(responses.find(([w]) => w === 'GET /echo.js')[1].headers.get('content-type'), /^text\/javascript/);
  });

  test('a join creates the meeting and an attendee; the next one by that name finds it', T, async () => {
    const a = await join(srv(), { meeting: '  Design  Review ', name: 'Ada' });
    assert.strictEqual(a.status, 200, a.text);
    const { Meeting, Attendee } = a.json;
    assert.deepStrictEqual(Object.keys(a.json).sort(), ['Attendee', 'Meeting']);
    assert.strictEqual(Meeting.ExternalMeetingId, 'design-review');
    assert.match(Meeting.MediaPlacement.SignalingUrl, new RegExp(`^ws://127\\.0\\.0\\.1:${srv().port}/control/${Meeting.MeetingId}$`));
    assert.match(Attendee.ExternalUserId, /^[0-9a-f]{8}#Ada$/);
    assert.match(Attendee.JoinToken, /^[A-Za-z0-9_-]{60,}$/);
    // Exactly what GetMeeting / GetAttendee answer for them.
    const got = await request(srv(), 'GET', `/meetings/${Meeting.MeetingId}`);
    assert.deepStrictEqual(got.json.Meeting, Meeting);
    const att = await request(srv(), 'GET', `/meetings/${Meeting.MeetingId}/attendees/${Attendee.AttendeeId}`);
    assert.deepStrictEqual(att.json.Attendee, Attendee);
    const b = await join(srv(), { meeting: 'design-review', name: 'Ada' });
    assert.strictEqual(b.json.Meeting.MeetingId, Meeting.MeetingId);
    assert.notStrictEqual(b.json.Attendee.AttendeeId, Attendee.AttendeeId, 'two people with one name are two attendees');
  });

  test('bad input: a clear error each, nothing created', T, async () => {
    const before = await snapshot(srv());
    const cases = [
      ['missing meeting', { name: 'Ada' }, 400, /meeting \(the meeting name\) is required/],
      ['missing name', { meeting: 'standup' }, 400, /name \(your name\) is required/],
      ['meeting name too long', { meeting: 'm'.repeat(65), name: 'Ada' }, 400, /2 to 64 characters/],
      ['meeting name too short', { meeting: 'm', name: 'Ada' }, 400, /2 to 64 characters/],
      ['person name too long', { meeting: 'standup', name: 'n'.repeat(41) }, 400, /1 to 40 characters/],
      ['empty person name', { meeting: 'standup', name: '   ' }, 400, /1 to 40 characters/],
      ['invisible characters', { meeting: 'standup', name: 'A\u202eB' }, 400, /control or invisible/],
      ['a path the server uses', { meeting: 'metrics', name: 'Ada' }, 400, /choose another meeting name/],
      ['a slash', { meeting: 'a/b', name: 'Ada' }, 400, /letters, digits/],
      ['wrong types', { meeting: 7, name: 'Ada' }, 400, /meeting must be a string/],
      ['not JSON', 'meeting=standup', 400, /not valid JSON/],
      ['huge body', JSON.stringify({ meeting: 'standup', name: 'x'.repeat(70000) }), 413, /./],
    ];
    for (const [what, body, status, message] of cases) {
      const r = await join(srv(), body);
      assert.strictEqual(r.status, status, `${what}: ${r.text}`);
      assert.match(r.json.Message, message, what);
      assert.ok(r.headers.get('x-amzn-errortype'), what);
    }
    const form = await join(srv(), 'meeting=standup&name=Ada', { 'Content-Type': 'application/x-www-form-urlencoded' });
    assert.strictEqual(form.status, 415, 'a cross-site form cannot join');
    assert.match(form.json.Message, /application\/json/);
    assert.strictEqual((await request(srv(), 'GET', '/app/join')).status, 405);
    assert.deepStrictEqual(await snapshot(srv()), before, 'nothing created');
  });
});

describe('--app-password and --app-rate', () => {
  const srv = useServer({ args: ['--app-password', 'open sesame', '--app-rate', '3'] });

  test('password required and checked; joins per address limited', T, async () => {
    assert.deepStrictEqual((await request(srv(), 'GET', '/app/info')).json, { passwordRequired: true });
    const before = await snapshot(srv());
    const none = await join(srv(), { meeting: 'private', name: 'Eve' });
    assert.strictEqual(none.status, 403);
    assert.match(none.json.Message, /needs its password/);
    const wrong = await join(srv(), { meeting: 'private', name: 'Eve', password: 'sesame' });
    assert.strictEqual(wrong.status, 403);
    assert.strictEqual(wrong.json.Message, 'Wrong password');
    assert.deepStrictEqual(await snapshot(srv()), before, 'nothing created by refused joins');
    const ok = await join(srv(), { meeting: 'private', name: 'Ada', password: 'open sesame' });
    assert.strictEqual(ok.status, 200, ok.text);
    // Three tokens a minute, the refused ones spent too: the next is throttled.
    const limited = await join(srv(), { meeting: 'private', name: 'Bo', password: 'open sesame' });
    assert.strictEqual(limited.status, 429, limited.text);
    assert.match(limited.json.Message, /at most 3 a minute/);
    assert.strictEqual(limited.headers.get('retry-after'), '60');
    const list = await request(srv(), 'GET', `/meetings/${ok.json.Meeting.MeetingId}/attendees`);
    assert.strictEqual(list.json.Attendees.length, 1, 'the throttled join created no attendee');
  });
});

describe('--app off', () => {
  const srv = useServer({ args: ['--app', 'off'] });

  test('no pages, no joins; the control API is untouched', T, async () => {
    const root = await request(srv(), 'GET', '/');
    assert.strictEqual(root.status, 404);
    assert.match(root.text, /--app off/);
    assertSecurityHeaders(root, 'GET / (off)');
    assert.strictEqual((await request(srv(), 'GET', '/standup')).status, 404);
    assert.strictEqual((await request(srv(), 'GET', '/app/app.js')).status, 404);
    const j = await join(srv(), { meeting: 'standup', name: 'Ada' });
    assert.strictEqual(j.status, 404);
    assert.match(j.json.Message, /--app off/);
    assert.strictEqual((await request(srv(), 'POST', '/meetings', { ExternalMeetingId: 'api' })).status, 200);
  });
});
