#include "server/echo_page.h"

namespace sfu::server {

// Script and style are separate resources, not inline: every response carries a
// Content-Security-Policy without 'unsafe-inline' (signaling/http/security_headers.h).
std::string_view EchoPageHtml() {
  static constexpr std::string_view kHtml = R"html(<!doctype html>
<html><head><meta charset="utf-8"><title>sfu-server echo check</title>
<link rel="stylesheet" href="/echo.css"><script src="/echo.js" defer></script></head>
<body><h1>Echo check</h1>
<p>Sends your camera, microphone and a data-channel message to this server and plays back what it
returns (ICE-lite, DTLS-SRTP, same transport). Nothing is recorded.</p>
<button id="start">Start</button>
<p><video id="local" autoplay muted playsinline></video><video id="remote" autoplay playsinline></video></p>
<table id="stats"></table>
</body></html>
)html";
  return kHtml;
}

std::string_view EchoPageStyle() {
  static constexpr std::string_view kCss =
      R"css(body{font:15px system-ui,sans-serif;margin:2em;max-width:60em}video{width:320px;background:#222;margin-right:1em}
td{padding:.15em .8em .15em 0}.ok{color:#070}.bad{color:#b00}
)css";
  return kCss;
}

std::string_view EchoPageScript() {
  static constexpr std::string_view kJs =
      R"js(const show = (rows) => { document.getElementById('stats').innerHTML = rows.map(([k, v, ok]) =>
  `<tr><td>${k}</td><td class="${ok === undefined ? '' : ok ? 'ok' : 'bad'}">${v}</td></tr>`).join(''); };
document.getElementById('start').onclick = async () => {
  const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  document.getElementById('local').srcObject = stream;
  stream.getTracks().forEach((t) => pc.addTrack(t, stream));
  const remote = new MediaStream();
  document.getElementById('remote').srcObject = remote;
  pc.ontrack = (e) => remote.addTrack(e.track);
  const dc = pc.createDataChannel('echo');
  let dcState = 'waiting';
  dc.onopen = () => dc.send('hello ' + Date.now());
  dc.onmessage = (e) => { dcState = 'echoed: ' + e.data; };
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((r) => { if (pc.iceGatheringState === 'complete') r();
    pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && r(); setTimeout(r, 3000); });
  const resp = await fetch('/echo', { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription.sdp });
  const text = await resp.text();
  if (resp.status !== 201) { show([['POST /echo', resp.status + ' ' + text, false]]); return; }
  await pc.setRemoteDescription({ type: 'answer', sdp: text });
  setInterval(async () => {
    const rows = [['ICE', pc.iceConnectionState, ['connected', 'completed'].includes(pc.iceConnectionState)]];
    (await pc.getStats()).forEach((r) => {
      if (r.type === 'transport') rows.push(['DTLS', `${r.dtlsState} (version ${r.tlsVersion}, ${r.srtpCipher})`, r.dtlsState === 'connected']);
      if (r.type === 'inbound-rtp') rows.push([`${r.kind} received`, `${r.bytesReceived} bytes` + (r.kind === 'video' ? `, ${r.framesDecoded} frames decoded` : ''), r.bytesReceived > 0]);
    });
    rows.push(['data channel', dcState, dcState.startsWith('echoed')]);
    show(rows);
  }, 1000);
};
)js";
  return kJs;
}

}  // namespace sfu::server
