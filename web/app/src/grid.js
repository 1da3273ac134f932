// The video grid: one card per person in the meeting (their camera, or their initials while it
// is off) and one per content share, which takes the large cell. Cards carry data-attendee-id
// and data-name so the page can be read by people and by tests alike.
import { $, el, icon, initials } from './dom.js';

export class Grid {
  constructor(client) {
    this.client = client;
    this.root = $('grid');
    // Content shares get the large area; people's cards share a grid beside or below it.
    this.contentArea = el('div', { class: 'content-area' });
    this.peopleArea = el('div', { class: 'people-area' });
    this.root.replaceChildren(this.contentArea, this.peopleArea);
    this.cards = new Map();  // key (attendee id, or "<id>#content") -> card element
    this.tiles = new Map();  // SDK tile id -> key
    window.onresize = () => this.layout();  // the current meeting's grid only
  }

  card(key, { name, local = false, content = false }) {
    let c = this.cards.get(key);
    if (c) {
      if (name && c.dataset.name !== name) {
        c.dataset.name = name;
        c.querySelector('.name').textContent = content ? `${name} (screen)` : local ? `${name} (you)` : name;
        c.querySelector('.avatar span').textContent = initials(name);
      }
      return c;
    }
    const label = content ? `${name} (screen)` : local ? `${name} (you)` : name;
    c = el('div', { class: `tile${local ? ' local' : ''}${content ? ' content' : ' person'}`, dataset: { attendeeId: key, name } },
      el('div', { class: 'avatar' }, el('span', {}, initials(name))),
      el('div', { class: 'nametag' }, icon('i-mic-off'), el('span', { class: 'name' }, label)),
      el('div', { class: 'paused' }, 'Video paused'));
    this.cards.set(key, c);
    if (content) this.contentArea.append(c);
    else if (local) this.peopleArea.prepend(c);
    else this.peopleArea.append(c);
    this.layout();
    return c;
  }

  removeCard(key) {
    const c = this.cards.get(key);
    if (!c) return;
    c.remove();
    this.cards.delete(key);
    for (const [tileId, k] of this.tiles) if (k === key) this.tiles.delete(tileId);
    this.layout();
  }

  // tileState from the SDK's videoTileDidUpdate.
  tile(t, nameOf) {
    if (!t.tileId) return;
    if (!t.localTile && !t.boundAttendeeId) return;
    const key = t.localTile ? this.client.selfId : t.boundAttendeeId;
    const content = !t.localTile && !!t.isContent;
    const c = this.card(key, { name: nameOf(key, t.boundExternalUserId), local: t.localTile, content });
    this.tiles.set(t.tileId, key);
    let video = c.querySelector('video');
    if (!video) {
      video = el('video', { muted: true, autoplay: true, playsInline: true });
      video.dataset.tileId = String(t.tileId);
      c.prepend(video);
      this.client.bindVideo(t.tileId, video);
    }
    c.classList.toggle('has-video', !!t.active || !!t.boundVideoStream);
    c.classList.toggle('paused', !!t.paused && !t.localTile);
  }

  tileRemoved(tileId) {
    const key = this.tiles.get(tileId);
    if (key === undefined) return;
    this.tiles.delete(tileId);
    const c = this.cards.get(key);
    if (!c) return;
    if (c.classList.contains('content')) {
      this.removeCard(key);
      return;
    }
    const v = c.querySelector('video');
    if (v) v.remove();
    c.classList.remove('has-video', 'paused');
  }

  setMuted(key, muted) {
    const c = this.cards.get(key);
    if (c) c.classList.toggle('muted', muted);
  }

  setSpeaking(key) {
    for (const [k, c] of this.cards) c.classList.toggle('speaking', k === key);
  }

  layout() {
    const hasContent = this.contentArea.childElementCount > 0;
    const people = this.peopleArea.childElementCount;
    this.root.classList.toggle('has-content', hasContent);
    const narrow = window.innerWidth <= 720;
    let cols = Math.ceil(Math.sqrt(Math.max(1, people)));
    if (narrow) cols = people <= 2 ? 1 : 2;
    else if (people === 2 && this.peopleArea.clientWidth > this.peopleArea.clientHeight) cols = 2;
    if (hasContent) cols = narrow ? Math.min(people, 3) : 1;
    this.peopleArea.style.setProperty('--cols', String(Math.max(1, cols)));
    this.root.dataset.count = String(this.cards.size);
  }
}
