// Chat over the meeting's data messages (topic "chat"). The server relays each message to the
// other attendees; our own is shown when sent. Messages are plain text, at most 500 characters
// (the server takes 2 KiB per data message).
import { $, el } from './dom.js';
import { displayName } from './names.js';

const time = (ms) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

export class Chat {
  constructor({ send, onUnread }) {
    this.send = send;
    this.onUnread = onUnread;
    this.log = $('chat-log');
    // A property, not addEventListener: a rejoin makes a new Chat for the same form.
    $('chat-form').onsubmit = (e) => {
      e.preventDefault();
      const input = $('chat-input');
      const text = input.value.trim();
      if (!text) return;
      try {
        this.send(text);
        this.add({ from: 'You', text, at: Date.now(), mine: true });
        input.value = '';
      } catch (err) {
        this.system(`Not sent: ${err.message}`);
      }
    };
  }

  add({ from, text, at, mine, throttled }) {
    if (throttled) {
      this.system('A message was not delivered: too many messages at once.');
      return;
    }
    const li = el('li', { class: `chat-msg${mine ? ' mine' : ''}` },
      el('div', {}, el('span', { class: 'from' }, mine ? 'You' : displayName(from)), el('span', { class: 'time' }, time(at || Date.now()))),
      el('div', { class: 'text' }, text));
    this.append(li);
    if (!mine) this.onUnread();
  }

  system(text) {
    this.append(el('li', { class: 'system' }, text));
  }

  append(li) {
    const atBottom = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 40;
    this.log.append(li);
    if (atBottom) this.log.scrollTop = this.log.scrollHeight;
  }
}
