#pragma once

#include "core/error.hpp"
#include "http/message.hpp"

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pbx::http {

// How a route's errors are shown: the docs/api.md JSON body, or CXML for Cloudonix.
enum class ErrorStyle { json, cxml };

// Renders the errors of a route whose caller reads something other than the JSON body
// (Cloudonix reads only CXML). The module that registers the route owns what its caller is
// told, so the transport holds no words of its own for it.
using ErrorRenderer = std::function<Response(const Error& error, const std::string& request_id)>;

// Sends the answer of one request exactly once, from any thread.
class Reply {
 public:
  using Sink = std::function<void(Response)>;
  explicit Reply(Sink sink) : sink_(std::make_shared<Sink>(std::move(sink))) {}
  void operator()(Response response) const;

 private:
  std::shared_ptr<Sink> sink_;
};

// Who may call a route, as the API document states it.
enum class Access { none, admin, requests_key, webhook };

// What the API document says of a route. It is given where the route is registered and the
// document is built from the router's routes, so the two cannot drift apart.
struct Doc {
  std::string tag;
  std::string summary;
  Access access = Access::none;
  // OpenAPI operation fields laid over the generated ones (requestBody, responses, parameters,
  // operationId), for what the method, path and access do not tell.
  nlohmann::json details = nlohmann::json::object();
};

using Handler = std::function<Response(Request&)>;
// For handlers that answer later (for example after a group commit); a pbx::Error thrown
// before the Reply is taken is mapped like any other.
using AsyncHandler = std::function<void(Request&, Reply)>;

struct Route {
  std::string method;
  std::string pattern;  // "/api/v1/extensions/{id}"
  ErrorStyle style = ErrorStyle::json;
  ErrorRenderer render_error;  // set for every style but json
  Doc doc;
  AsyncHandler handler;
  std::vector<std::string> segments;
};

struct Match {
  const Route* route = nullptr;
  url::Params params;
  std::string allow;  // when the path exists under other methods only: "GET, POST"
};

// The non-empty segments of a path: "/a//b/" -> {"a", "b"}. Routes match on these.
std::vector<std::string> split_path(std::string_view path);

// Routes are fixed before serving starts and only read afterwards, from every thread.
class Router {
 public:
  // A route whose errors are not shown as JSON brings their renderer (std::invalid_argument
  // otherwise).
  void add(std::string method, std::string pattern, Doc doc, Handler handler,
           ErrorStyle style = ErrorStyle::json, ErrorRenderer render_error = {});
  void add_async(std::string method, std::string pattern, Doc doc, AsyncHandler handler,
                 ErrorStyle style = ErrorStyle::json, ErrorRenderer render_error = {});
  Match match(std::string_view method, std::string_view path) const;
  const std::vector<std::unique_ptr<Route>>& routes() const { return routes_; }

 private:
  std::vector<std::unique_ptr<Route>> routes_;
};

}  // namespace pbx::http
