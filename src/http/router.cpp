#include "http/router.hpp"

#include <set>
#include <stdexcept>

namespace pbx::http {

namespace {

bool segments_match(const Route& route, const std::vector<std::string>& parts,
                    url::Params& params) {
  if (route.segments.size() != parts.size()) return false;
  url::Params found;
  for (size_t i = 0; i < parts.size(); ++i) {
    const auto& seg = route.segments[i];
    if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}') {
      found.emplace_back(seg.substr(1, seg.size() - 2), parts[i]);
    } else if (seg != parts[i]) {
      return false;
    }
  }
  params = std::move(found);
  return true;
}

}  // namespace

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    auto end = slash == std::string_view::npos ? path.size() : slash;
    if (end > start) out.emplace_back(path.substr(start, end - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

void Reply::operator()(Response response) const {
  if (auto sink = std::exchange(*sink_, nullptr)) sink(std::move(response));
}

void Router::add(std::string method, std::string pattern, Doc doc, Handler handler,
                 ErrorStyle style, ErrorRenderer render_error) {
  add_async(
      std::move(method), std::move(pattern), std::move(doc),
      [h = std::move(handler)](Request& req, const Reply& reply) { reply(h(req)); }, style,
      std::move(render_error));
}

void Router::add_async(std::string method, std::string pattern, Doc doc, AsyncHandler handler,
                       ErrorStyle style, ErrorRenderer render_error) {
  if (style != ErrorStyle::json && !render_error) {
    throw std::invalid_argument(pattern + ": a route whose errors are not JSON renders them");
  }
  auto route = std::make_unique<Route>();
  route->method = std::move(method);
  route->segments = split_path(pattern);
  route->pattern = std::move(pattern);
  route->style = style;
  route->render_error = std::move(render_error);
  route->doc = std::move(doc);
  route->handler = std::move(handler);
  routes_.push_back(std::move(route));
}

Match Router::match(std::string_view method, std::string_view path) const {
  auto parts = split_path(path);
  Match result;
  std::set<std::string> allowed;
  for (const auto& route : routes_) {
    url::Params params;
    if (!segments_match(*route, parts, params)) continue;
    // A literal segment beats a parameter: prefer the route with fewer parameters.
    if (route->method == method &&
        (result.route == nullptr || params.size() < result.params.size())) {
      result.route = route.get();
      result.params = std::move(params);
    }
    allowed.insert(route->method);
  }
  if (result.route == nullptr) {
    for (const auto& m : allowed) result.allow += (result.allow.empty() ? "" : ", ") + m;
  }
  return result;
}

}  // namespace pbx::http
