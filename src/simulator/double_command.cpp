#include "simulator/double_command.hpp"

#include "http/server.hpp"

#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>
#include <stdexcept>
#include <thread>

namespace pbx::simulator {

namespace {

// Paths of up to this many segments reach the double (and are refused there when not
// Cloudonix's): the deepest real one is /customers/self/domains/{d}/{collection}/{id}.
constexpr int kMaxSegments = 10;

http::Response to_response(const DoubleAnswer& a) {
  http::Response r;
  r.status = a.status;
  r.body = a.body;
  r.headers = a.headers;
  return r;
}

std::string header_or_empty(const http::Request& req, std::string_view name) {
  auto v = req.header(name);
  return v ? std::string(*v) : std::string();
}

}  // namespace

http::Router double_router(CloudonixDouble& cx) {
  http::Router router;
  router.add("GET", "/_double/health", http::Doc{}, [](http::Request&) {
    return http::Response::json(200, {{"ok", true}});
  });
  router.add("GET", "/_double/state", http::Doc{},
             [&cx](http::Request&) { return http::Response::json(200, cx.state()); });
  router.add("GET", "/_double/log", http::Doc{},
             [&cx](http::Request&) { return http::Response::json(200, cx.log()); });
  router.add("DELETE", "/_double/log", http::Doc{}, [&cx](http::Request&) {
    cx.clear_log();
    return http::Response::text(204, "");
  });
  router.add("GET", "/_double/switches", http::Doc{},
             [&cx](http::Request&) { return http::Response::json(200, cx.switches()); });
  router.add("PUT", "/_double/switches", http::Doc{}, [&cx](http::Request& req) {
    try {
      cx.set_switches(Json::parse(req.body));
    } catch (const std::exception& e) {
      return http::Response::json(400, {{"status", false}, {"message", e.what()}});
    }
    return http::Response::json(200, cx.switches());
  });
  router.add("POST", "/_double/domains", http::Doc{}, [&cx](http::Request& req) {
    auto body = Json::parse(req.body, nullptr, false);
    if (!body.is_object() || !body.value("domain", Json()).is_string() ||
        !body.value("key", Json()).is_string()) {
      return http::Response::json(
          400, {{"status", false}, {"message", "expected {\"domain\": ..., \"key\": ...}"}});
    }
    cx.add_domain({body["domain"].get<std::string>(), body["key"].get<std::string>()});
    return http::Response::json(200, {{"domain", body["domain"]}});
  });
  router.add("POST", "/_double/reset", http::Doc{}, [&cx](http::Request&) {
    cx.reset();
    return http::Response::text(204, "");
  });

  auto api = [&cx](http::Request& req, const http::Reply& reply) {
    DoubleRequest dr{req.method,
                     req.path,
                     url::encode_form(req.query),
                     header_or_empty(req, "authorization"),
                     header_or_empty(req, "content-type"),
                     req.body};
    auto answer = cx.handle(dr);
    if (answer.delay.count() == 0) {
      reply(to_response(answer));
      return;
    }
    // The timeout fault: answer late without holding a reactor thread.
    std::thread([reply, answer] {
      std::this_thread::sleep_for(answer.delay);
      reply(to_response(answer));
    }).detach();
  };
  std::string pattern;
  for (int depth = 1; depth <= kMaxSegments; ++depth) {
    pattern += "/{s" + std::to_string(depth) + "}";
    for (const char* method : {"GET", "POST", "PUT", "PATCH", "DELETE"}) {
      router.add_async(method, pattern, http::Doc{}, api);
    }
  }
  return router;
}

int run_cloudonix_double(const DoubleOptions& options) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  CloudonixDouble cx(options.domains, options.switches);
  http::ServerOptions so;
  so.host = options.host;
  so.port = static_cast<uint16_t>(options.port);
  so.threads = 2;
  http::Server server(so, double_router(cx));
  server.start();
  std::cout << "cloudonix-double listening on http://" << options.host << ":" << server.port()
            << std::endl;
  for (const auto& d : options.domains) std::cout << "domain=" << d.name << "\n";
  std::cout << std::flush;
  int sig = 0;
  sigwait(&signals, &sig);
  server.stop(std::chrono::seconds(1));
  return 0;
}

}  // namespace pbx::simulator
