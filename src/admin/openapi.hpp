#pragma once

#include "admin/resource.hpp"
#include "http/router.hpp"

namespace pbx::admin {

// The OpenAPI 3 document of every route registered so far, from the doc each route was
// registered with and the resources' field definitions: the document cannot drift from the
// server.
Json openapi_document(const http::Router& router, const std::vector<Resource>& resources);

// The doc of a resource's route: the collection (`item` false: GET lists, POST creates) or one
// object (`item` true: GET, PATCH, DELETE).
http::Doc resource_doc(const Resource& r, std::string_view method, bool item);

// GET /api/v1/openapi.json (no authentication). Register it last.
void add_openapi_route(http::Router& router, const std::vector<Resource>& resources);

}  // namespace pbx::admin
