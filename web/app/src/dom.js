// Small DOM helpers for the meeting app. Everything user-supplied goes in through textContent,
// never innerHTML, and no style attribute is written (the server's Content-Security-Policy has
// no 'unsafe-inline'); layout values go through CSS custom properties (CSSOM is allowed).

export const $ = (id) => document.getElementById(id);

// el('li', { class: 'x', dataset: { a: '1' } }, child, 'text', ...)
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') node.className = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k in node) node[k] = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

// <svg><use href="#id"></svg>: the icons are symbols in index.html.
export function icon(id) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  const use = document.createElementNS(ns, 'use');
  use.setAttribute('href', `#${id}`);
  svg.append(use);
  return svg;
}

export function setIcon(button, id) {
  button.querySelector('use').setAttribute('href', `#${id}`);
}

export function initials(name) {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  if (!parts.length) return '?';
  const first = Array.from(parts[0])[0] || '';
  const last = parts.length > 1 ? Array.from(parts[parts.length - 1])[0] || '' : '';
  return first + last;
}

let toastTimer = 0;
export function toast(text, ms = 5000) {
  const t = $('toast');
  t.textContent = text;
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, ms);
}
