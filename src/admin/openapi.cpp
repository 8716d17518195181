#include "admin/openapi.hpp"

#include "core/text.hpp"

#include <algorithm>
#include <map>

namespace pbx::admin {

namespace {

constexpr const char* kOpenApiPath = "/api/v1/openapi.json";

struct Operation {
  const char* method;
  const char* path;
  const char* tag;
  const char* summary;
  const char* security;  // "admin", "requests_key", "webhook", or "" (none)
};

// Everything that is not a resource collection.
const Operation kOperations[] = {
    {"GET", "/health", "operations", "Liveness", ""},
    {"GET", "/ready", "operations", "Readiness: Postgres and Redis answer", ""},
    {"GET", "/metrics", "operations", "Prometheus metrics", ""},
    {"GET", "/debug/sleep", "operations", "Test-only slow request (PBX_DEBUG_ROUTES)", ""},
    {"GET", "/api/voice/route", "execution", "A new call: CXML for the dialled destination",
     "requests_key"},
    {"POST", "/api/voice/route", "execution", "A new call: CXML for the dialled destination",
     "requests_key"},
    {"GET", "/api/voice/gather", "execution", "IVR digits (Gather action)", "requests_key"},
    {"POST", "/api/voice/gather", "execution", "IVR digits (Gather action)", "requests_key"},
    {"GET", "/api/voice/dial-status", "execution", "A Dial finished (Dial action)", "requests_key"},
    {"POST", "/api/voice/dial-status", "execution", "A Dial finished (Dial action)",
     "requests_key"},
    {"GET", "/api/voice/voicemail", "execution", "A voicemail recording finished", "requests_key"},
    {"POST", "/api/voice/voicemail", "execution", "A voicemail recording finished", "requests_key"},
    {"POST", "/api/webhooks/cloudonix/session-update", "webhooks", "Call state changes", "webhook"},
    {"POST", "/api/webhooks/cloudonix/cdr", "webhooks", "One call detail record", "webhook"},
    {"POST", "/api/v1/auth/login", "auth",
     "Log in with e-mail and password (and the domain, for an e-mail used in several tenants)", ""},
    {"GET", "/api/v1/auth/me", "auth", "The caller and its tenant", "admin"},
    {"PATCH", "/api/v1/auth/me", "auth",
     "Change your own name, e-mail or password (the latter two with the current password)",
     "admin"},
    {"POST", "/api/v1/auth/logout", "auth", "Revoke the token of this request", "admin"},
    {"POST", "/api/v1/auth/logout-all", "auth",
     "Revoke every token of the caller (sign out "
     "everywhere)",
     "admin"},
    {"GET", "/api/v1/settings", "settings", "Tenant settings and webhook URLs", "admin"},
    {"PATCH", "/api/v1/settings", "settings", "Change tenant settings (owner)", "admin"},
    {"POST", "/api/v1/settings/requests-key", "settings",
     "New requests API key, shown once (owner)", "admin"},
    {"POST", "/api/v1/settings/webhook-secret", "settings",
     "New webhook secret, shown once; the previous one stays valid for a grace period (owner)",
     "admin"},
    {"POST", "/api/v1/settings/webhook-token", "settings",
     "New webhook token and the webhook URLs holding it, shown once; the previous one stays "
     "valid for a grace period (owner)",
     "admin"},
    {"POST", "/api/v1/extensions/{id}/sip-password", "extensions",
     "New SIP password of the extension's Cloudonix subscriber, shown once", "admin"},
    {"GET", "/api/v1/extensions/sync", "extensions",
     "Compare the extensions with the domain's Cloudonix subscribers (missing, drifted, extra)",
     "admin"},
    {"POST", "/api/v1/extensions/sync", "extensions",
     "Queue the missing and drifted subscribers (and, with remove_extra, the extras' removal)",
     "admin"},
    {"GET", "/api/v1/cdrs", "calls", "Call detail records (filters, cursor, CSV)", "admin"},
    {"GET", "/api/v1/cdrs/{id}", "calls", "One call detail record", "admin"},
    {"GET", "/api/v1/cdrs/stats", "calls", "Totals for the CDR filters", "admin"},
    {"GET", "/api/v1/calls/active", "calls", "Calls live now", "admin"},
    {"GET", "/api/v1/calls/{session}", "calls", "One call: state, history and CDR", "admin"},
    {"GET", "/api/v1/webhook-events", "webhooks", "Received webhooks and their outcome", "admin"},
    {"GET", "/api/v1/dead-letters", "webhooks", "Payloads that could not be processed", "admin"},
    {"POST", "/api/v1/dead-letters/{id}/replay", "webhooks", "Process a dead letter again",
     "admin"},
    {"GET", "/api/v1/openapi.json", "operations", "This document", ""},
};

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
  if (!f.required) s["nullable"] = true;
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

Json describe(const std::string& method, const std::string& path, const std::string& tag,
              const std::string& summary, const std::string& security) {
  Json op = {{"tags", {tag}}, {"summary", summary}, {"responses", Json::object()}};
  bool xml = path.rfind("/api/voice/", 0) == 0;
  op["responses"]["200"] = {{"description", "OK"}};
  if (xml) {
    op["responses"]["200"]["content"] = {{"application/xml", {{"schema", {{"type", "string"}}}}}};
  }
  if (!security.empty()) {
    op["security"] = Json::array({{{security, Json::array()}}});
    op["responses"]["401"] = error_response("missing or bad credentials");
  }
  if (security == "webhook") {
    // Any one of them, as the tenant's webhook_auth allows.
    op["security"].push_back({{"requests_key", Json::array()}});
    op["security"].push_back({{"webhook_token", Json::array()}});
    op["responses"]["400"] = error_response("stale_timestamp: signed more than 300 s away");
  }
  if (security == "admin") {
    op["responses"]["403"] = error_response("the caller's role may not do this");
    op["responses"]["429"] = error_response("rate limited (see Retry-After)");
  }
  if (method == "POST" || method == "PATCH") {
    op["responses"]["422"] = error_response("validation failed: details.fields");
  }
  for (size_t open = path.find('{'); open != std::string::npos; open = path.find('{', open + 1)) {
    auto name = path.substr(open + 1, path.find('}', open) - open - 1);
    op["parameters"].push_back(
        {{"name", name}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}});
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
  std::map<std::pair<std::string, std::string>, Json> known;
  for (const auto& o : kOperations) {
    known[{o.method, o.path}] = describe(o.method, o.path, o.tag, o.summary, o.security);
  }
  for (const auto& r : resources) {
    doc["components"]["schemas"][r.name] = resource_schema(r);
    Json ref = {{"$ref", "#/components/schemas/" + r.name}};
    Json body = {{"required", true}, {"content", {{"application/json", {{"schema", ref}}}}}};
    auto item = r.path + "/{id}";
    auto ok = [&](const char* m, const std::string& p, const std::string& summary) {
      auto op = describe(m, p, r.name, summary, "admin");
      op["responses"]["200"]["content"] = {{"application/json", {{"schema", ref}}}};
      return op;
    };
    known[{"GET", r.path}] = ok("GET", r.path, "List " + r.name + " (limit, cursor)");
    known[{"GET", r.path}]["responses"]["200"]["content"]["application/json"]["schema"] = {
        {"type", "object"},
        {"properties",
         {{"data", {{"type", "array"}, {"items", ref}}},
          {"next_cursor", {{"type", "string"}, {"nullable", true}}}}}};
    known[{"GET", r.path}]["parameters"] = {
        {{"name", "limit"}, {"in", "query"}, {"schema", {{"type", "integer"}, {"maximum", 500}}}},
        {{"name", "cursor"}, {"in", "query"}, {"schema", {{"type", "string"}}}}};
    if (r.creatable) {
      auto create = ok("POST", r.path, "Create (Idempotency-Key accepted)");
      create["requestBody"] = body;
      create["responses"]["201"] = create["responses"]["200"];
      create["responses"].erase("200");
      create["parameters"].push_back(
          {{"name", "Idempotency-Key"}, {"in", "header"}, {"schema", {{"type", "string"}}}});
      known[{"POST", r.path}] = create;
    }
    known[{"GET", item}] = ok("GET", item, "Read one");
    known[{"GET", item}]["responses"]["404"] = error_response("no such object in this tenant");
    auto patch = ok("PATCH", item, "Change some fields");
    patch["requestBody"] = body;
    known[{"PATCH", item}] = patch;
    auto del = describe("DELETE", item, r.name, "Delete", "admin");
    del["responses"] = {{"204", {{"description", "deleted"}}},
                        {"404", error_response("no such object in this tenant")},
                        {"409", error_response("still referenced: details.referenced_by")}};
    known[{"DELETE", item}] = del;
  }
  std::vector<std::pair<std::string, std::string>> routes;
  for (const auto& route : router.routes()) routes.emplace_back(route->method, route->pattern);
  // The document's own route is registered after the document is built.
  routes.emplace_back("GET", kOpenApiPath);
  for (const auto& [method, pattern] : routes) {
    auto it = known.find({method, pattern});
    Json op = it != known.end() ? it->second
                                : Json{{"summary", pattern},
                                       {"x-undocumented", true},
                                       {"responses", {{"200", {{"description", "OK"}}}}}};
    doc["paths"][pattern][text::to_lower(method)] = op;
  }
  return doc;
}

void add_openapi_route(http::Router& router, const std::vector<Resource>& resources) {
  auto body = openapi_document(router, resources).dump();
  router.add("GET", kOpenApiPath, [body](http::Request&) {
    return http::Response::text(200, body, "application/json");
  });
}

}  // namespace pbx::admin
