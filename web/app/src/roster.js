// The people list: name, speaking ring, microphone state and a weak-connection hint (the SDK's
// signal strength: the share of this attendee's audio packets reaching the server).
import { $, el, icon, initials } from './dom.js';

export class Roster {
  constructor(selfId) {
    this.selfId = selfId;
    this.root = $('roster');
    this.items = new Map();
  }

  upsert(attendeeId, name) {
    let li = this.items.get(attendeeId);
    if (!li) {
      const you = attendeeId === this.selfId;
      li = el('li', { dataset: { attendeeId, name, muted: 'false' } },
        el('span', { class: 'initial' }, initials(name)),
        el('span', { class: 'who' }, name, ...(you ? [el('small', {}, '(you)')] : [])),
        el('span', { class: 'weak', hidden: true }, 'weak signal'),
        icon('i-mic'));
      this.items.set(attendeeId, li);
      if (you) this.root.prepend(li);
      else this.root.append(li);
    }
    return li;
  }

  remove(attendeeId) {
    const li = this.items.get(attendeeId);
    if (li) li.remove();
    this.items.delete(attendeeId);
  }

  setMuted(attendeeId, muted) {
    const li = this.items.get(attendeeId);
    if (!li) return;
    li.dataset.muted = String(muted);
    li.classList.toggle('muted', muted);
    li.querySelector('use').setAttribute('href', muted ? '#i-mic-off' : '#i-mic');
  }

  setSignal(attendeeId, strength) {
    const li = this.items.get(attendeeId);
    if (li) li.querySelector('.weak').hidden = !(strength < 0.5);
  }

  setSpeaking(ids) {
    for (const [id, li] of this.items) li.classList.toggle('speaking', ids.has(id));
  }

  get size() { return this.items.size; }
}
