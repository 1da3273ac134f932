// What the app remembers between visits (localStorage, this origin only): your name, devices,
// and whether to join with microphone and camera on.
const KEY = 'meet.prefs.v1';

function load() {
  try {
    return JSON.parse(localStorage.getItem(KEY)) || {};
  } catch (_) {
    return {};
  }
}

const state = { name: '', mic: '', camera: '', speaker: '', joinMic: true, joinCamera: true, originalSound: false, ...load() };

export const prefs = new Proxy(state, {
  set(target, key, value) {
    target[key] = value;
    try {
      localStorage.setItem(KEY, JSON.stringify(target));
    } catch (_) { /* private mode: not remembered */ }
    return true;
  },
});
