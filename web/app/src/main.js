// The meeting app served at / by sfu-server: a lobby (meeting name, your name), then the meeting
// (video grid, people, chat, devices, screen share, leave). Runs under the server's
// Content-Security-Policy: no inline script or style, nothing from another origin.
import { $, setIcon, toast } from './dom.js';
import { Chat } from './chat.js';
import { DeviceSettings } from './devices.js';
import { Grid } from './grid.js';
import { JoinError, joinMeeting, serverInfo } from './join_api.js';
import { MeetingClient } from './meeting_client.js';
import { canonicalMeetingName, displayName, isContentAttendee, meetingFromPath, meetingLink } from './names.js';
import { prefs } from './prefs.js';
import { Roster } from './roster.js';

let current = null;  // { meeting, name, password } of the last join, for Rejoin

function show(screen) {
  for (const id of ['lobby', 'meeting', 'ended']) $(id).hidden = id !== screen;
}

// Cameras and microphones need a secure context: https, or a loopback host.
function checkSecureContext() {
  if (window.isSecureContext && navigator.mediaDevices) return true;
  $('insecure').hidden = false;
  $('insecure-url').textContent = location.href;
  $('secure-url').textContent = `https://${location.host}${location.pathname}`;
  $('join-button').disabled = true;
  return false;
}

async function setUpLobby() {
  $('meeting-name').value = meetingFromPath(location.pathname);
  $('your-name').value = prefs.name || '';
  $('join-mic').checked = prefs.joinMic;
  $('join-camera').checked = prefs.joinCamera;
  (($('meeting-name').value && !$('your-name').value) ? $('your-name') : $('meeting-name')).focus();
  const secure = checkSecureContext();
  try {
    const info = await serverInfo();
    $('password-row').hidden = !info.passwordRequired;
  } catch (_) { /* the join answers for itself */ }
  $('join-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!secure) return;
    const meeting = canonicalMeetingName($('meeting-name').value);
    const name = $('your-name').value.trim().replace(/\s+/g, ' ');
    const error = $('join-error');
    error.textContent = '';
    if (!meeting) { error.textContent = 'Type a meeting name.'; $('meeting-name').focus(); return; }
    if (!name) { error.textContent = 'Type your name.'; $('your-name').focus(); return; }
    prefs.name = name;
    prefs.joinMic = $('join-mic').checked;
    prefs.joinCamera = $('join-camera').checked;
    await start({ meeting, name, password: $('password').value });
  });
}

async function start(join) {
  const button = $('join-button');
  button.disabled = true;
  button.textContent = 'Joining…';
  try {
    const info = await joinMeeting(join);
    current = join;
    const meeting = info.Meeting.ExternalMeetingId || join.meeting;
    history.replaceState(null, '', `/${encodeURIComponent(meeting)}${location.search}`);
    await enterMeeting(info, meeting, join.name);
  } catch (e) {
    show('lobby');
    const error = $('join-error');
    if (e instanceof JoinError) {
      error.textContent = e.message;
      if (e.code === 'Forbidden') { $('password-row').hidden = false; $('password').focus(); }
    } else {
      error.textContent = `Could not join: ${e.message}`;
    }
  } finally {
    button.disabled = false;
    button.textContent = 'Join meeting';
  }
}

async function enterMeeting(info, meeting, myName) {
  $('grid').replaceChildren();
  $('roster').replaceChildren();
  $('chat-log').replaceChildren();
  $('meeting-title').textContent = meeting;
  document.title = `${meeting} · Meet`;
  show('meeting');

  const people = new Map();  // attendee id -> { name, muted, loudAt }
  let ranked = [];
  const ui = {};
  const client = new MeetingClient(info, ui);
  const selfId = client.selfId;
  const grid = new Grid(client);
  const roster = new Roster(selfId);
  const chat = new Chat({
    send: (text) => client.sendChat(text),
    onUnread: () => { if ($('side').hidden || $('chat-panel').hidden) $('chat-badge').hidden = false; },
  });
  const devices = new DeviceSettings(client, toast);
  const nameOf = (id, external) => (id === selfId ? myName : displayName(external || (people.get(id) || {}).external));
  const count = () => { $('people-count').textContent = `${roster.size} in meeting`; };

  Object.assign(ui, {
    tile: (t) => grid.tile(t, nameOf),
    tileRemoved: (id) => grid.tileRemoved(id),
    presence: (id, present, external, dropped) => {
      if (isContentAttendee(id)) {
        if (!present) grid.removeCard(id);
        return;
      }
      const name = nameOf(id, external);
      if (present) {
        const known = people.has(id);
        people.set(id, { name, external, muted: false, loudAt: 0, ...people.get(id) });
        roster.upsert(id, name);
        grid.card(id, { name, local: id === selfId });
        if (!known && id !== selfId && people.size > 1) chat.system(`${name} joined`);
      } else {
        people.delete(id);
        roster.remove(id);
        grid.removeCard(id);
        chat.system(dropped ? `${name} lost their connection` : `${name} left`);
      }
      count();
    },
    volume: (id, volume, muted, strength) => {
      const p = people.get(id);
      if (!p) return;
      if (muted !== null && muted !== undefined) {
        p.muted = muted;
        roster.setMuted(id, muted);
        grid.setMuted(id, muted);
      }
      if (volume !== null && volume > 0.05) p.loudAt = performance.now();
      if (strength !== null && strength !== undefined) roster.setSignal(id, strength);
    },
    activeSpeakers: (ids) => { ranked = ids; },
    chat: (m) => { if (!m.mine) chat.add(m); },
    quality: (level, text) => {
      $('quality').dataset.level = level;
      $('quality-text').textContent = text;
    },
    notice: (text) => toast(text, 8000),
    localMute: (muted) => {
      const b = $('btn-mic');
      b.setAttribute('aria-pressed', String(muted));
      b.querySelector('span').textContent = muted ? 'Unmute' : 'Mute';
      b.title = muted ? 'Unmute microphone' : 'Mute microphone';
      setIcon(b, muted ? 'i-mic-off' : 'i-mic');
    },
    contentShare: (sharing) => {
      const b = $('btn-share');
      b.setAttribute('aria-pressed', String(sharing));
      b.querySelector('span').textContent = sharing ? 'Stop sharing' : 'Share';
    },
    devicesChanged: () => { if ($('settings').open) devices.refresh(); },
    ended: (code, text) => {
      clearInterval(speakingTimer);
      $('settings').close();
      $('ended-title').textContent = text;
      $('ended-detail').textContent = `Meeting: ${meeting}`;
      show('ended');
    },
  });

  // Speaking: loud within the last second; the highlighted tile is the best-ranked of those.
  const speakingTimer = setInterval(() => {
    const now = performance.now();
    const speaking = new Set([...people].filter(([, p]) => now - p.loudAt < 1000 && !p.muted).map(([id]) => id));
    roster.setSpeaking(speaking);
    grid.setSpeaking(ranked.find((id) => speaking.has(id)) || null);
  }, 250);

  wireControls(client, devices);
  grid.card(selfId, { name: myName, local: true });
  await client.join({
    mic: prefs.joinMic,
    camera: false,
    audioElement: $('meeting-audio'),
    micDevice: prefs.mic,
    originalSound: prefs.originalSound,
  });
  ui.localMute(client.isMuted());
  setCameraButton(false);
  if (prefs.joinCamera) await toggleCamera(client);
}

function setCameraButton(on) {
  const b = $('btn-camera');
  b.setAttribute('aria-pressed', String(!on));
  b.title = on ? 'Turn camera off' : 'Turn camera on';
  setIcon(b, on ? 'i-cam' : 'i-cam-off');
}

async function toggleCamera(client) {
  try {
    if (client.cameraOn) await client.stopCamera();
    else await client.startCamera(prefs.camera);
  } catch (e) {
    toast(`Camera unavailable: ${e.message}`);
  }
  setCameraButton(client.cameraOn);
}

let controlsWired = null;
function wireControls(client, devices) {
  controlsWired = { client, devices };
  if (wireControls.done) return;
  wireControls.done = true;
  const c = () => controlsWired.client;
  $('btn-mic').addEventListener('click', () => c().setMuted(!c().isMuted()));
  $('btn-camera').addEventListener('click', () => toggleCamera(c()));
  if (!navigator.mediaDevices || !navigator.mediaDevices.getDisplayMedia) $('btn-share').hidden = true;
  $('btn-share').addEventListener('click', async () => {
    if ($('btn-share').getAttribute('aria-pressed') === 'true') return c().stopShare();
    try {
      await c().shareScreen();
    } catch (e) {
      if (e.name !== 'NotAllowedError') toast(`Screen sharing failed: ${e.message}`);
    }
  });
  const openSide = (tab) => {
    const side = $('side');
    const same = !side.hidden && $(`tab-${tab}`).getAttribute('aria-selected') === 'true';
    side.hidden = same;
    for (const t of ['people', 'chat']) {
      $(`tab-${t}`).setAttribute('aria-selected', String(t === tab));
      $(`${t}-panel`).hidden = t !== tab;
    }
    if (tab === 'chat' && !side.hidden) { $('chat-badge').hidden = true; $('chat-input').focus(); }
    if (window.onresize) window.onresize();  // the grid re-lays out for its new width
  };
  $('btn-people').addEventListener('click', () => openSide('people'));
  $('btn-chat').addEventListener('click', () => openSide('chat'));
  $('tab-people').addEventListener('click', () => openSide('people'));
  $('tab-chat').addEventListener('click', () => openSide('chat'));
  $('side-close').addEventListener('click', () => { $('side').hidden = true; });
  $('btn-settings').addEventListener('click', () => controlsWired.devices.open());
  $('btn-leave').addEventListener('click', () => c().leave());
  $('copy-link').addEventListener('click', async () => {
    const link = meetingLink(decodeURIComponent(location.pathname.slice(1)));
    try {
      await navigator.clipboard.writeText(link);
      toast(`Link copied: ${link}`);
    } catch (_) {
      toast(`Share this link: ${link}`, 10000);
    }
  });
  $('rejoin').addEventListener('click', () => { if (current) start(current); });
}

setUpLobby();
