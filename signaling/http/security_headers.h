#pragma once
// The headers every HTTP response of the listener carries (API, metrics, health, echo page,
// meeting app, and the listener's own refusals): a Content-Security-Policy after the Chime SDK's
// published guidance, adapted to a server that is its own origin, and its usual companions.
//
//   default-src 'self'                  nothing from another origin (the app embeds its assets)
//   script-src 'self'                   no inline or injected script; no 'wasm-unsafe-eval':
//                                       nothing here runs WebAssembly (the SDK needs it only for
//                                       Voice Focus and video filters, loaded from Amazon's CDN,
//                                       which the app does not use)
//   style-src 'self'                    no inline style
//   img-src 'self' data: blob:          media-src 'self' blob:
//   connect-src 'self' <ws base>        fetch to us, and the signaling WebSocket at the public
//                                       ws(s) URL (SignalingUrl), also when it names another host
//   worker-src blob:, child-src blob:   the SDK runs its audio-redundancy and media-transform
//                                       workers from blob: URLs
//   object-src 'none', base-uri 'none', form-action 'self', frame-ancestors 'none'
// plus X-Content-Type-Options: nosniff, Referrer-Policy: no-referrer, X-Frame-Options: DENY
// (frame-ancestors for old browsers) and Cross-Origin-Opener-Policy: same-origin. Pure.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sfu::http {

// The policy text for a server whose public WebSocket base is `ws_base` (ws://host:port or
// wss://host:port; empty: 'self' only).
std::string ContentSecurityPolicy(std::string_view ws_base);

std::vector<std::pair<std::string, std::string>> SecurityHeaders(std::string_view ws_base);

}  // namespace sfu::http
