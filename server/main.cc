// sfu-server: see README.md and `sfu-server --help`.
#include <cstdio>

#include "server/server.h"
#include "server/server_config.h"

extern char** environ;

int main(int argc, char** argv) {
  sfu::server::ConfigResult parsed = sfu::server::ParseServerConfig(argc, argv, environ);
  if (!parsed.config) {
    if (parsed.message == "version") {
      std::printf("sfu-server %s (%s)\n", SFU_VERSION, SFU_GIT_COMMIT);
    } else if (parsed.exit_code == 0) {
      std::printf("%s", parsed.message.c_str());
    } else {
      std::fprintf(stderr, "sfu-server: %s\n", parsed.message.c_str());
    }
    return parsed.exit_code;
  }
  return sfu::server::RunServer(*parsed.config);
}
