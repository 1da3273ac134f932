#pragma once
// GET /echo: a self-contained page that runs the echo check in the user's browser (camera,
// microphone and a data channel to POST /echo) and shows what came back.

#include <string_view>

namespace sfu::server {
std::string_view EchoPageHtml();
}
