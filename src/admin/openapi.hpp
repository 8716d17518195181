#pragma once

#include "admin/resource.hpp"
#include "http/router.hpp"

namespace pbx::admin {

// The OpenAPI 3 document of every route registered so far, described from the resource
// definitions and a table of the other operations. A route without a description is marked
// "x-undocumented" (a test fails on it), so the document cannot drift from the server.
Json openapi_document(const http::Router& router, const std::vector<Resource>& resources);

// GET /api/v1/openapi.json (no authentication). Register it last.
void add_openapi_route(http::Router& router, const std::vector<Resource>& resources);

}  // namespace pbx::admin
