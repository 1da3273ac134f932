// A minimal TURN client over TCP (RFC 8656 Allocate with long-term credentials, RFC 8489
// MESSAGE-INTEGRITY), for asking a TURN server directly whether it takes a credential: the first
// Allocate gets a 401 with REALM and NONCE, the second carries USERNAME, REALM, NONCE and
// MESSAGE-INTEGRITY keyed with MD5(username:realm:password). Also the TURN REST credential
// scheme (coturn's use-auth-secret) sfu-server hands out in JOIN_ACK.
'use strict';
const crypto = require('node:crypto');
const net = require('node:net');

const MAGIC = 0x2112a442;
const ATTR = {
  USERNAME: 0x0006, MESSAGE_INTEGRITY: 0x0008, ERROR_CODE: 0x0009, REALM: 0x0014, NONCE: 0x0015,
  XOR_RELAYED_ADDRESS: 0x0016, REQUESTED_TRANSPORT: 0x0019, LIFETIME: 0x000d,
};
const ALLOCATE = 0x0003;
const REFRESH = 0x0004;

// TURN REST credentials: username "<expiry unix s>:<user>", password base64(HMAC-SHA1(secret, username)).
function restCredential(secret, user, expiry = Math.floor(Date.now() / 1000) + 3600) {
  const username = `${expiry}:${user}`;
  return { username, password: crypto.createHmac('sha1', secret).update(username).digest('base64') };
}

function attr(type, value) {
  const pad = (4 - (value.length % 4)) % 4;
  const out = Buffer.alloc(4 + value.length + pad);
  out.writeUInt16BE(type, 0);
  out.writeUInt16BE(value.length, 2);
  value.copy(out, 4);
  return out;
}

// A STUN request; with key, MESSAGE-INTEGRITY (HMAC-SHA1 over the message, its length counting
// the MESSAGE-INTEGRITY attribute) ends it.
function request(method, attrs, key) {
  const tid = crypto.randomBytes(12);
  const body = Buffer.concat(attrs);
  const header = Buffer.alloc(20);
  header.writeUInt16BE(method, 0);
  header.writeUInt16BE(body.length + (key ? 24 : 0), 2);
  header.writeUInt32BE(MAGIC, 4);
  tid.copy(header, 8);
  const msg = Buffer.concat([header, body]);
  if (!key) return msg;
  const mac = crypto.createHmac('sha1', key).update(msg).digest();
  return Buffer.concat([msg, attr(ATTR.MESSAGE_INTEGRITY, mac)]);
}

function parse(msg) {
  const type = msg.readUInt16BE(0);
  const attrs = {};
  for (let at = 20; at + 4 <= msg.length;) {
    const t = msg.readUInt16BE(at);
    const len = msg.readUInt16BE(at + 2);
    attrs[t] = msg.subarray(at + 4, at + 4 + len);
    at += 4 + len + ((4 - (len % 4)) % 4);
  }
  const cls = ((type >> 7) & 0x2) | ((type >> 4) & 0x1);  // 2: success, 3: error
  const err = attrs[ATTR.ERROR_CODE];
  return {
    type, success: cls === 2, error: cls === 3, attrs,
    code: err ? (err[2] & 7) * 100 + err[3] : null,
    reason: err ? err.subarray(4).toString() : null,
  };
}

// One TCP connection to a TURN server; send(msg) resolves its answer (one at a time).
function connect(host, port, ms = 3000) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port });
    let buf = Buffer.alloc(0);
    let waiting = null;
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 20 && buf.length >= 20 + buf.readUInt16BE(2) && waiting) {
        const len = 20 + buf.readUInt16BE(2);
        const msg = buf.subarray(0, len);
        buf = buf.subarray(len);
        const w = waiting;
        waiting = null;
        w.resolve(parse(msg));
      }
    });
    sock.on('error', (e) => (waiting ? waiting.reject(e) : reject(e)));
    sock.on('close', () => { if (waiting) waiting.reject(new Error('the TURN server closed the connection')); });
    sock.once('connect', () => resolve({
      send: (msg) => new Promise((res, rej) => {
        const timer = setTimeout(() => rej(new Error(`no answer from ${host}:${port} within ${ms} ms`)), ms);
        waiting = { resolve: (m) => { clearTimeout(timer); res(m); }, reject: (e) => { clearTimeout(timer); rej(e); } };
        sock.write(msg);
      }),
      close: () => sock.destroy(),
    }));
  });
}

// Allocate (UDP relay) with a long-term credential. Resolves { challenge, answer, relayed }:
// the unauthenticated attempt's answer (401 with realm and nonce) and the authenticated one's
// (success, or an error with its code). A success is released at once (Refresh, lifetime 0).
async function tryAllocate(host, port, { username, password }) {
  const c = await connect(host, port);
  try {
    const transport = attr(ATTR.REQUESTED_TRANSPORT, Buffer.from([17, 0, 0, 0]));
    const challenge = await c.send(request(ALLOCATE, [transport]));
    if (challenge.code !== 401 || !challenge.attrs[ATTR.REALM] || !challenge.attrs[ATTR.NONCE]) {
      return { challenge, answer: null, relayed: null };
    }
    const realm = challenge.attrs[ATTR.REALM];
    const nonce = challenge.attrs[ATTR.NONCE];
    const key = crypto.createHash('md5').update(`${username}:${realm.toString()}:${password}`).digest();
    const auth = [attr(ATTR.USERNAME, Buffer.from(username)), attr(ATTR.REALM, realm), attr(ATTR.NONCE, nonce)];
    const answer = await c.send(request(ALLOCATE, [transport, ...auth], key));
    let relayed = null;
    const x = answer.attrs[ATTR.XOR_RELAYED_ADDRESS];
    if (answer.success && x && x[1] === 1) {
      const p = x.readUInt16BE(2) ^ (MAGIC >>> 16);
      const ip = [0, 1, 2, 3].map((i) => x[4 + i] ^ ((MAGIC >>> (24 - 8 * i)) & 0xff)).join('.');
      relayed = `${ip}:${p}`;
      await c.send(request(REFRESH, [attr(ATTR.LIFETIME, Buffer.from([0, 0, 0, 0])), ...auth], key)).catch(() => {});
    }
    return { challenge, answer, relayed };
  } finally {
    c.close();
  }
}

module.exports = { restCredential, tryAllocate, parse, request, attr, ATTR };
