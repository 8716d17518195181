#pragma once

// The Pistache adapter: how Pistache's connections and bytes reach the dispatcher, and what is
// answered when they cannot be read as a request. Internal to the transport.

#include "http/server.hpp"

#include <pistache/http.h>

#include <memory>

namespace pbx::http {

// The handler to give Pistache's endpoint.
std::shared_ptr<Pistache::Http::Handler> pistache_handler(
    std::shared_ptr<Server::Dispatcher> dispatcher);

}  // namespace pbx::http
