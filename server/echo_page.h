#pragma once
// GET /echo: a self-contained page that runs the echo check in the user's browser (camera,
// microphone and a data channel to POST /echo) and shows what came back. Its script
// (GET /echo.js) and style (GET /echo.css) are served apart: the Content-Security-Policy allows
// no inline script or style.

#include <string_view>

namespace sfu::server {
std::string_view EchoPageHtml();
std::string_view EchoPageScript();
std::string_view EchoPageStyle();
}  // namespace sfu::server
