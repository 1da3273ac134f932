// The Devices dialog: microphone, camera and speaker, and "original sound" (no voice
// processing). Choices are remembered in localStorage for the next meeting.
import { $, el } from './dom.js';
import { prefs } from './prefs.js';

export class DeviceSettings {
  constructor(client, notice) {
    this.client = client;
    this.notice = notice;
    this.dialog = $('settings');
    this.canChooseSpeaker = typeof HTMLMediaElement.prototype.setSinkId === 'function';
    $('speaker-row').hidden = !this.canChooseSpeaker;
    $('original-sound').checked = prefs.originalSound;
    // Properties, not addEventListener: a rejoin makes new settings for the same controls.
    $('select-mic').onchange = (e) => this.apply('mic', e.target.value);
    $('select-camera').onchange = (e) => this.apply('camera', e.target.value);
    $('select-speaker').onchange = (e) => this.apply('speaker', e.target.value);
    $('original-sound').onchange = (e) => this.apply('original', e.target.checked);
  }

  async open() {
    await this.refresh();
    this.dialog.showModal();
  }

  async refresh() {
    const av = this.client.av;
    const fill = (select, devices, current, kind) => {
      select.replaceChildren(...devices.map((d, i) => el('option', { value: d.deviceId, selected: d.deviceId === current }, d.label || `${kind} ${i + 1}`)));
      select.disabled = devices.length === 0;
    };
    fill($('select-mic'), await av.listAudioInputDevices(), this.client.micDevice, 'Microphone');
    fill($('select-camera'), await av.listVideoInputDevices(), this.client.cameraDevice, 'Camera');
    if (this.canChooseSpeaker) fill($('select-speaker'), await av.listAudioOutputDevices(), prefs.speaker, 'Speaker');
  }

  async apply(what, value) {
    try {
      if (what === 'mic') {
        await this.client.chooseMic(value);
        prefs.mic = value;
      } else if (what === 'camera') {
        await this.client.chooseCamera(value);
        prefs.camera = value;
      } else if (what === 'speaker') {
        await this.client.chooseSpeaker(value);
        prefs.speaker = value;
      } else if (what === 'original') {
        if (this.client.micDevice) await this.client.chooseMic(this.client.micDevice, value);
        prefs.originalSound = value;
      }
    } catch (e) {
      this.notice(`Could not switch: ${e.message}`);
    }
  }
}
