#pragma once

// `pbxd cloudonix-double`: serves the Cloudonix REST double over HTTP. Everything but
// /_double/... is Cloudonix's API; /_double/ is the control side for tests and scripts:
//   GET  /_double/health            {"ok": true}
//   GET  /_double/state             every domain with its profile, applications, subscribers
//                                   (passwords included) and DNIDs
//   GET  /_double/log               the requests received, oldest first, each with method,
//                                   path, query, status, body (secrets masked: mask_secrets)
//                                   and password_key (the password spelling sent, if any);
//   DELETE /_double/log             empties it
//   GET, PUT /_double/switches      see DoubleSwitches; PUT changes the members given
//   POST /_double/domains           {"domain": name, "key": key} adds a domain
//   POST /_double/reset             forgets every object and the log (domains stay, reseeded)

#include "http/router.hpp"
#include "simulator/cloudonix_double.hpp"

#include <string>
#include <vector>

namespace pbx::simulator {

struct DoubleOptions {
  std::string host = "127.0.0.1";
  int port = 8090;  // 0: any free port
  std::vector<DoubleDomain> domains;
  DoubleSwitches switches;
};

http::Router double_router(CloudonixDouble& cx);

// Serves until SIGINT or SIGTERM; prints "cloudonix-double listening on http://HOST:PORT".
int run_cloudonix_double(const DoubleOptions& options);

}  // namespace pbx::simulator
