// Meeting and attendee names as the server treats them (signaling/api/app_join_request.h): a
// meeting name is canonical in lower case with runs of spaces as one '-', so "Team Standup" and
// "team-standup" are one meeting and one link (/team-standup). A person's name rides in the
// attendee's ExternalUserId as "<8 hex>#<name>", the Chime SDK demo's convention, so two people
// with one name stay two attendees.

export function canonicalMeetingName(raw) {
  return raw.trim().replace(/\s+/g, '-').replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

// The name part of an ExternalUserId ("1a2b3c4d#Ada" -> "Ada"); a content share's attendee
// ("...#content") is named after its presenter.
export function displayName(externalUserId) {
  if (!externalUserId) return 'Someone';
  let id = externalUserId;
  if (id.endsWith('#content')) id = id.slice(0, -'#content'.length);
  const hash = id.indexOf('#');
  return hash >= 0 ? id.slice(hash + 1) : id;
}

export const isContentAttendee = (attendeeId) => attendeeId.endsWith('#content');

// The meeting name in the path (/<name>), or ''.
export function meetingFromPath(pathname) {
  const seg = pathname.split('/').filter(Boolean);
  if (seg.length !== 1) return '';
  try {
    return decodeURIComponent(seg[0]);
  } catch (_) {
    return '';
  }
}

export const meetingLink = (name) => `${location.origin}/${encodeURIComponent(name)}`;
