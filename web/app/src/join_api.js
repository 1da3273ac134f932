// The app's backend (signaling/control/app_join.h): GET /app/info says whether a password is
// needed; POST /app/join {meeting, name, password?} answers {Meeting, Attendee} as a Chime server
// application would, or an AWS-style error {Code, Message}.

export async function serverInfo() {
  const r = await fetch('/app/info', { cache: 'no-store' });
  if (!r.ok) throw new Error(`GET /app/info: ${r.status}`);
  return r.json();
}

export class JoinError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function joinMeeting({ meeting, name, password }) {
  let r;
  try {
    r = await fetch('/app/join', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(password ? { meeting, name, password } : { meeting, name }),
    });
  } catch (e) {
    throw new JoinError(0, 'Network', `Cannot reach the server: ${e.message}`);
  }
  let body = null;
  try {
    body = await r.json();
  } catch (_) { /* not JSON */ }
  if (!r.ok) {
    throw new JoinError(r.status, (body && body.Code) || 'Error', (body && body.Message) || `The server answered ${r.status}`);
  }
  return body;
}
