// One meeting session on amazon-chime-sdk-js: joins with the {Meeting, Attendee} from
// /app/join, and turns the SDK's observers into calls on a plain `ui` object (see main.js):
//   ui.tile(tileState) / ui.tileRemoved(tileId)          video tiles (cameras, content, local)
//   ui.presence(attendeeId, present, externalUserId)    roster
//   ui.volume(attendeeId, volume, muted, signalStrength)
//   ui.activeSpeakers(attendeeIds)                       loudest first
//   ui.chat(message)                                     data messages on topic "chat"
//   ui.quality(level, text)                              connection hints
//   ui.localMute(muted), ui.contentShare(sharing), ui.ended(statusCode, text)
// Remote cameras are chosen and sized by the SDK's VideoPriorityBasedPolicy: content first,
// then the most recent speakers; the target size shrinks as the grid fills, so many cameras
// stay within the downlink the policy estimates.
import {
  ConsoleLogger, DefaultActiveSpeakerPolicy, DefaultBrowserBehavior, DefaultDeviceController,
  DefaultMeetingSession, LogLevel, MeetingSessionConfiguration, MeetingSessionStatusCode,
  TargetDisplaySize, VideoPreference, VideoPreferences, VideoPriorityBasedPolicy,
} from 'amazon-chime-sdk-js';
import { isContentAttendee } from './names.js';

export const CHAT_TOPIC = 'chat';
const CHAT_LIFETIME_MS = 5 * 60 * 1000;
const RERANK_MS = 5000;

export class MeetingClient {
  constructor(joinInfo, ui) {
    this.ui = ui;
    // ?log=info (or debug) in the page's URL shows the SDK's own log in the browser console.
    const level = { debug: LogLevel.DEBUG, info: LogLevel.INFO }[new URLSearchParams(location.search).get('log')];
    this.logger = new ConsoleLogger('meet', level === undefined ? LogLevel.WARN : level);
    this.deviceController = new DefaultDeviceController(this.logger, { enableWebAudio: false });
    const config = new MeetingSessionConfiguration(joinInfo.Meeting, joinInfo.Attendee);
    config.enableSimulcastForUnifiedPlanChromiumBasedBrowsers = new DefaultBrowserBehavior().isSimulcastSupported();
    this.policy = new VideoPriorityBasedPolicy(this.logger);
    config.videoDownlinkBandwidthPolicy = this.policy;
    this.session = new DefaultMeetingSession(config, this.logger, this.deviceController);
    this.av = this.session.audioVideo;
    this.selfId = joinInfo.Attendee.AttendeeId;
    this.remoteSources = [];
    this.topSpeaker = null;
    this.rankedAt = 0;
    this.rerankTimer = 0;
    this.cameraOn = false;
    this.cameraDevice = null;
    this.micDevice = null;
    this.originalSound = false;
    this.left = false;
    this.observe();
  }

  observe() {
    const ui = this.ui;
    this.av.addObserver({
      audioVideoDidStartConnecting: (reconnecting) => ui.quality(reconnecting ? 'poor' : 'connecting', reconnecting ? 'Reconnecting…' : 'Connecting…'),
      audioVideoDidStart: () => ui.quality('good', 'Connected'),
      audioVideoDidStop: (status) => this.stopped(status),
      videoTileDidUpdate: (tile) => ui.tile(tile),
      videoTileWasRemoved: (tileId) => ui.tileRemoved(tileId),
      remoteVideoSourcesDidChange: (sources) => { this.remoteSources = sources; this.choosePreferences(); },
      connectionDidBecomePoor: () => ui.quality('poor', 'Poor connection'),
      connectionDidSuggestStopVideo: () => ui.quality('poor', 'Weak connection: turning your camera off would help'),
      connectionDidBecomeGood: () => ui.quality('good', 'Connected'),
      videoSendDidBecomeUnavailable: () => ui.notice('This meeting has as many cameras as it can take: yours is not sent.'),
      metricsDidReceive: (report) => this.metrics(report),
    });
    this.av.addContentShareObserver({
      contentShareDidStart: () => ui.contentShare(true),
      contentShareDidStop: () => ui.contentShare(false),
    });
    this.av.addDeviceChangeObserver({
      audioInputsChanged: () => ui.devicesChanged(),
      videoInputsChanged: () => ui.devicesChanged(),
      audioOutputsChanged: () => ui.devicesChanged(),
    });
    this.av.realtimeSubscribeToAttendeeIdPresence((attendeeId, present, externalUserId, dropped) => {
      ui.presence(attendeeId, present, externalUserId, dropped);
      if (isContentAttendee(attendeeId)) return;
      if (present) {
        this.av.realtimeSubscribeToVolumeIndicator(attendeeId, (id, volume, muted, signalStrength) => ui.volume(id, volume, muted, signalStrength));
      } else {
        this.av.realtimeUnsubscribeFromVolumeIndicator(attendeeId);
      }
    });
    this.av.realtimeSubscribeToMuteAndUnmuteLocalAudio((muted) => ui.localMute(muted));
    this.av.realtimeSubscribeToLocalSignalStrengthChange((s) => { if (s < 0.5) ui.quality('fair', 'Your audio is reaching the server with loss'); });
    this.av.subscribeToActiveSpeakerDetector(new DefaultActiveSpeakerPolicy(), (ids) => {
      ui.activeSpeakers(ids);
      // The camera of whoever speaks most goes first, but the order changes many times a
      // second in a lively talk: re-rank at most every few seconds, and only when the top
      // speaker changed, so the policy does not resubscribe on every word.
      const top = ids.find((id) => !isContentAttendee(id) && id !== this.selfId);
      if (top && top !== this.topSpeaker) {
        this.topSpeaker = top;
        this.scheduleRerank();
      }
    });
    this.av.realtimeSubscribeToReceiveDataMessage(CHAT_TOPIC, (m) => {
      ui.chat({ from: m.senderExternalUserId, fromId: m.senderAttendeeId, text: m.text(), at: m.timestampMs, throttled: m.throttled, mine: m.senderAttendeeId === this.selfId });
    });
  }

  scheduleRerank() {
    if (this.rerankTimer) return;
    const wait = Math.max(0, RERANK_MS - (Date.now() - this.rankedAt));
    this.rerankTimer = setTimeout(() => { this.rerankTimer = 0; this.choosePreferences(); }, wait);
  }

  // Content share first (priority 1), then the top speaker's camera (2), then the others (3);
  // the target size shrinks as more cameras share the grid.
  choosePreferences() {
    this.rankedAt = Date.now();
    const cameras = this.remoteSources.filter((s) => !isContentAttendee(s.attendee.attendeeId));
    const size = cameras.length <= 2 ? TargetDisplaySize.High : cameras.length <= 6 ? TargetDisplaySize.Medium : TargetDisplaySize.Low;
    const prefs = VideoPreferences.prepare();
    for (const s of this.remoteSources) {
      const id = s.attendee.attendeeId;
      if (isContentAttendee(id)) prefs.add(new VideoPreference(id, 1, TargetDisplaySize.High));
      else prefs.add(new VideoPreference(id, id === this.topSpeaker ? 2 : 3, size));
    }
    this.policy.chooseRemoteVideoSources(prefs.build());
  }

  metrics(report) {
    const m = report.getObservableMetrics();
    const loss = m.audioPacketsReceivedFractionLoss;
    if (typeof loss === 'number' && loss > 0.1) this.ui.quality('fair', `Incoming audio loses ${Math.round(loss * 100)}% of packets`);
  }

  // The microphone is always opened (muted when `mic` is false), so unmuting needs no new
  // permission prompt in the middle of the meeting.
  async join({ mic, camera, audioElement, micDevice, cameraDevice, originalSound }) {
    this.originalSound = !!originalSound;
    await this.av.bindAudioElement(audioElement);
    try {
      const mics = await this.av.listAudioInputDevices();
      this.micDevice = micDevice && mics.some((d) => d.deviceId === micDevice) ? micDevice : (mics[0] && mics[0].deviceId);
      if (this.micDevice) await this.av.startAudioInput(this.audioConstraints());
    } catch (e) {
      this.ui.notice(`Microphone unavailable (${e.message}): you can listen, not speak.`);
    }
    this.av.start();
    if (!mic) this.av.realtimeMuteLocalAudio();
    if (camera) await this.startCamera(cameraDevice);
  }

  audioConstraints() {
    if (!this.originalSound) return this.micDevice;
    return { deviceId: { exact: this.micDevice }, echoCancellation: false, noiseSuppression: false, autoGainControl: false };
  }

  async chooseMic(deviceId, originalSound = this.originalSound) {
    this.micDevice = deviceId;
    this.originalSound = originalSound;
    await this.av.startAudioInput(this.audioConstraints());
  }

  async startCamera(deviceId) {
    const cams = await this.av.listVideoInputDevices();
    if (!cams.length) throw new Error('no camera found');
    this.cameraDevice = deviceId && cams.some((d) => d.deviceId === deviceId) ? deviceId : cams[0].deviceId;
    await this.av.startVideoInput(this.cameraDevice);
    this.av.startLocalVideoTile();
    this.cameraOn = true;
  }

  async stopCamera() {
    this.av.stopLocalVideoTile();
    await this.av.stopVideoInput();
    this.cameraOn = false;
  }

  async chooseCamera(deviceId) {
    this.cameraDevice = deviceId;
    if (this.cameraOn) await this.av.startVideoInput(deviceId);
  }

  async chooseSpeaker(deviceId) {
    await this.av.chooseAudioOutput(deviceId);
  }

  setMuted(muted) {
    if (muted) this.av.realtimeMuteLocalAudio();
    else this.av.realtimeUnmuteLocalAudio();
  }

  isMuted() { return this.av.realtimeIsLocalAudioMuted(); }

  async shareScreen() { await this.av.startContentShareFromScreenCapture(); }

  stopShare() { this.av.stopContentShare(); }

  sendChat(text) {
    this.av.realtimeSendDataMessage(CHAT_TOPIC, text, CHAT_LIFETIME_MS);
  }

  bindVideo(tileId, element) { this.av.bindVideoElement(tileId, element); }

  async leave() {
    this.left = true;
    this.av.stopContentShare();
    this.av.stop();
  }

  async stopped(status) {
    const code = status.statusCode();
    try {
      await this.av.stopVideoInput();
      await this.av.stopAudioInput();
    } catch (_) { /* devices already released */ }
    const texts = {
      [MeetingSessionStatusCode.Left]: 'You left the meeting',
      [MeetingSessionStatusCode.MeetingEnded]: 'The meeting ended',
      [MeetingSessionStatusCode.AudioJoinedFromAnotherDevice]: 'You joined from another tab or device',
      [MeetingSessionStatusCode.AudioAuthenticationRejected]: 'The server refused this join',
    };
    const text = texts[code] || (this.left ? 'You left the meeting' : `Disconnected (${MeetingSessionStatusCode[code] || code})`);
    this.ui.ended(code, text);
  }
}
