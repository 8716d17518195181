#include "admin/openapi.hpp"

#include "core/text.hpp"

#include <cctype>
#include <memory>

namespace pbx::admin {

namespace {

constexpr const char* kOpenApiPath = "/api/v1/openapi.json";

Json schema_of(const Field& f) {
  Json s;
  switch (f.kind) {
    case Kind::text:
      s = {{"type", "string"}};
      break;
    case Kind::integer:
      s = {{"type", "integer"}};
      break;
    case Kind::boolean:
      s = {{"type", "boolean"}};
      break;
    case Kind::json:
      s = Json::object();
      break;
  }
  if (f.kind == Kind::text && f.limits.max_length > 0) s["maxLength"] = f.limits.max_length;
  // A JSON field has no single type, and OpenAPI 3.0 allows `nullable` only beside one.
  if (!f.required && s.contains("type")) s["nullable"] = true;
  if (!f.writable) s["readOnly"] = true;
  if (!f.readable) s["writeOnly"] = true;
  if (!f.default_value.is_null()) s["default"] = f.default_value;
  return s;
}

Json resource_schema(const Resource& r) {
  Json props = {{"id", {{"type", "string"}, {"format", "uuid"}, {"readOnly", true}}},
                {"created_at", {{"type", "string"}, {"format", "date-time"}, {"readOnly", true}}}};
  Json required = Json::array();
  for (const auto& f : r.fields) {
    props[f.name] = schema_of(f);
    if (f.required && f.writable && f.default_value.is_null()) required.push_back(f.name);
  }
  Json s = {{"type", "object"}, {"properties", props}, {"additionalProperties", false}};
  if (!required.empty()) s["required"] = required;
  return s;
}

Json error_response(const char* description) {
  return {
      {"description", description},
      {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}};
}

std::string pascal(std::string_view word) {
  std::string out;
  bool upper = true;
  for (char c : word) {
    if (c == '-' || c == '_' || c == '.') {
      upper = true;
    } else {
      out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
      upper = false;
    }
  }
  return out;
}

// "GET /api/v1/extensions/{id}" -> "getExtensionsById": unique per method and path, and a fair
// method name for client generators.
std::string operation_id(const std::string& method, const std::string& pattern) {
  std::string_view path = pattern;
  for (std::string_view prefix : {"/api/v1", "/api"}) {
    if (path.starts_with(prefix)) {
      path.remove_prefix(prefix.size());
      break;
    }
  }
  std::string id = text::to_lower(method);
  size_t start = 0;
  while (start < path.size()) {
    auto slash = path.find('/', start);
    auto segment = path.substr(start, slash == std::string_view::npos ? slash : slash - start);
    if (segment.size() > 2 && segment.front() == '{') {
      id += "By" + pascal(segment.substr(1, segment.size() - 2));
    } else {
      id += pascal(segment);
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return path.find_first_not_of('/') == std::string_view::npos ? id + "Root" : id;
}

Json operation(const http::Route& route) {
  const auto& doc = route.doc;
  Json op = {{"tags", {doc.tag}},
             {"summary", doc.summary},
             {"operationId", operation_id(route.method, route.pattern)},
             {"responses", Json::object()}};
  // A DELETE answers 204 with no body; everything else 200.
  op["responses"][route.method == "DELETE" ? "204" : "200"] = {
      {"description", route.method == "DELETE" ? "done" : "OK"}};
  if (route.style == http::ErrorStyle::cxml) {
    op["responses"]["200"]["content"] = {{"application/xml", {{"schema", {{"type", "string"}}}}}};
  }
  switch (doc.access) {
    case http::Access::none:
      op["security"] = Json::array();  // public, said outright
      break;
    case http::Access::admin:
      op["security"] = Json::array({{{"admin", Json::array()}}});
      op["responses"]["403"] = error_response("the caller's role may not do this");
      op["responses"]["429"] = error_response("rate limited (see Retry-After)");
      break;
    case http::Access::requests_key:
      op["security"] = Json::array({{{"requests_key", Json::array()}}});
      break;
    case http::Access::webhook:
      // Any one of them, as the tenant's webhook_auth allows.
      op["security"] = Json::array({{{"webhook", Json::array()}},
                                    {{"requests_key", Json::array()}},
                                    {{"webhook_token", Json::array()}}});
      op["responses"]["400"] = error_response("stale_timestamp: signed more than 300 s away");
      break;
  }
  if (doc.access != http::Access::none) {
    op["responses"]["401"] = error_response("missing or bad credentials");
  }
  if (route.method == "POST" || route.method == "PATCH" || route.method == "PUT") {
    op["responses"]["422"] = error_response("validation failed: details.fields");
  }
  op.merge_patch(doc.details);
  for (const auto& segment : route.segments) {
    if (segment.size() > 2 && segment.front() == '{') {
      op["parameters"].push_back({{"name", segment.substr(1, segment.size() - 2)},
                                  {"in", "path"},
                                  {"required", true},
                                  {"schema", {{"type", "string"}}}});
    }
  }
  return op;
}

}  // namespace

Json openapi_document(const http::Router& router, const std::vector<Resource>& resources) {
  Json doc = {
      {"openapi", "3.0.3"},
      {"info",
       {{"title", "pbxd: PBX call routing for Cloudonix"},
        {"version", "0.1.0"},
        {"description",
         "Execution plane and webhooks called by Cloudonix; admin API for tenants."}}},
      {"servers", {{{"url", "/"}, {"description", "this pbxd"}}}},
      {"paths", Json::object()},
      {"components",
       {{"securitySchemes",
         {{"admin", {{"type", "http"}, {"scheme", "bearer"}}},
          {"requests_key", {{"type", "http"}, {"scheme", "bearer"}}},
          {"webhook", {{"type", "apiKey"}, {"in", "header"}, {"name", "X-Cloudonix-Signature"}}},
          {"webhook_token", {{"type", "apiKey"}, {"in", "query"}, {"name", "token"}}}}},
        {"schemas",
         {{"Error",
           {{"type", "object"},
            {"properties",
             {{"error",
               {{"type", "object"},
                {"properties",
                 {{"code", {{"type", "string"}}},
                  {"message", {{"type", "string"}}},
                  {"details", {{"type", "object"}}},
                  {"request_id", {{"type", "string"}}}}}}}}}}}}}}}};
  for (const auto& r : resources) doc["components"]["schemas"][r.name] = resource_schema(r);
  for (const auto& route : router.routes()) {
    doc["paths"][route->pattern][text::to_lower(route->method)] = operation(*route);
  }
  return doc;
}

http::Doc resource_doc(const Resource& r, std::string_view method, bool item) {
  Json ref = {{"$ref", "#/components/schemas/" + r.name}};
  Json body = {{"required", true}, {"content", {{"application/json", {{"schema", ref}}}}}};
  Json ok = {{"200", {{"content", {{"application/json", {{"schema", ref}}}}}}}};
  Json missing = error_response("no such object in this tenant");
  if (method == "GET" && !item) {
    ok["200"]["content"]["application/json"]["schema"] = {
        {"type", "object"},
        {"properties",
         {{"data", {{"type", "array"}, {"items", ref}}},
          {"next_cursor", {{"type", "string"}, {"nullable", true}}}}}};
    return {r.name,
            "List " + r.name + " (limit, cursor)",
            http::Access::admin,
            {{"responses", ok},
             {"parameters",
              {{{"name", "limit"},
                {"in", "query"},
                {"schema", {{"type", "integer"}, {"maximum", 500}}}},
               {{"name", "cursor"}, {"in", "query"}, {"schema", {{"type", "string"}}}}}}}};
  }
  if (method == "POST") {
    return {
        r.name,
        "Create (Idempotency-Key accepted)",
        http::Access::admin,
        {{"requestBody", body},
         {"responses",
          {{"200", nullptr},
           {"201", {{"description", "created"}, {"content", ok["200"]["content"]}}}}},
         {"parameters",
          {{{"name", "Idempotency-Key"}, {"in", "header"}, {"schema", {{"type", "string"}}}}}}}};
  }
  if (method == "GET") {
    ok["404"] = missing;
    return {r.name, "Read one", http::Access::admin, {{"responses", ok}}};
  }
  if (method == "PATCH") {
    return {r.name,
            "Change some fields",
            http::Access::admin,
            {{"requestBody", body}, {"responses", ok}}};
  }
  return {r.name,
          "Delete",
          http::Access::admin,
          {{"responses",
            {{"204", {{"description", "deleted"}}},
             {"404", missing},
             {"409", error_response("still referenced: details.referenced_by")}}}}};
}

void add_openapi_route(http::Router& router, const std::vector<Resource>& resources) {
  // The document describes itself: it is built once this route is registered.
  auto body = std::make_shared<std::string>();
  router.add(
      "GET", kOpenApiPath, http::Doc{"operations", "This document (OpenAPI 3)"},
      [body](http::Request&) { return http::Response::text(200, *body, "application/json"); });
  *body = openapi_document(router, resources).dump();
}

}  // namespace pbx::admin
