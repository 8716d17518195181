#include "admin/openapi.hpp"
#include "admin/resources.hpp"
#include "voice/errors.hpp"

#include <gtest/gtest.h>

#include <set>

namespace pbx::admin {
namespace {

http::Response ok(http::Request&) { return http::Response::json(200, {}); }

// Every route of the admin resources, plus one of each access kind.
http::Router sample_router() {
  http::Router router;
  router.add("GET", "/health", {"operations", "Liveness"}, ok);
  router.add("POST", "/api/voice/route", {"execution", "A new call", http::Access::requests_key},
             ok, http::ErrorStyle::cxml, voice::cxml_error_response);
  router.add("POST", "/api/webhooks/cloudonix/cdr", {"webhooks", "A CDR", http::Access::webhook},
             ok);
  router.add("POST", "/api/v1/dead-letters/{id}/replay",
             {"webhooks",
              "Replay",
              http::Access::admin,
              {{"responses", {{"404", {{"description", "no such dead letter"}}}}}}},
             ok);
  for (const auto& r : routing_resources()) {
    for (auto [method, item] :
         {std::pair{"GET", false}, std::pair{"POST", false}, std::pair{"GET", true},
          std::pair{"PATCH", true}, std::pair{"DELETE", true}}) {
      router.add(method, item ? r.path + "/{id}" : r.path, resource_doc(r, method, item), ok);
    }
  }
  return router;
}

TEST(OpenApi, EveryOperationIsBuiltFromItsRouteWithAUniqueOperationId) {
  auto router = sample_router();
  auto doc = openapi_document(router, routing_resources());
  std::set<std::string> ids;
  size_t operations = 0;
  for (const auto& [path, methods] : doc["paths"].items()) {
    for (const auto& [method, op] : methods.items()) {
      ++operations;
      ASSERT_TRUE(op.contains("operationId")) << method << " " << path;
      EXPECT_TRUE(ids.insert(op["operationId"].get<std::string>()).second) << op["operationId"];
      EXPECT_FALSE(op["summary"].get<std::string>().empty());
      EXPECT_TRUE(op.contains("security")) << method << " " << path;
    }
  }
  EXPECT_EQ(operations, router.routes().size());
  EXPECT_EQ(doc["paths"]["/api/v1/extensions/{id}"]["patch"]["operationId"], "patchExtensionsById");
  EXPECT_EQ(doc["paths"]["/api/v1/dead-letters/{id}/replay"]["post"]["operationId"],
            "postDeadLettersByIdReplay");
  EXPECT_EQ(doc["paths"]["/api/voice/route"]["post"]["operationId"], "postVoiceRoute");
  EXPECT_EQ(doc["servers"][0]["url"], "/");
}

TEST(OpenApi, AccessBecomesSecurityAndItsAnswers) {
  auto doc = openapi_document(sample_router(), {});
  const auto& health = doc["paths"]["/health"]["get"];
  EXPECT_EQ(health["security"], nlohmann::json::array());
  EXPECT_FALSE(health["responses"].contains("401"));

  const auto& voice = doc["paths"]["/api/voice/route"]["post"];
  EXPECT_EQ(voice["security"][0].begin().key(), "requests_key");
  EXPECT_TRUE(voice["responses"]["200"]["content"].contains("application/xml"));
  EXPECT_TRUE(voice["responses"].contains("401"));

  const auto& cdr = doc["paths"]["/api/webhooks/cloudonix/cdr"]["post"];
  EXPECT_EQ(cdr["security"].size(), 3U);
  EXPECT_TRUE(cdr["responses"].contains("400"));

  const auto& replay = doc["paths"]["/api/v1/dead-letters/{id}/replay"]["post"];
  EXPECT_EQ(replay["responses"]["404"]["description"], "no such dead letter");
  for (const char* status : {"401", "403", "422", "429"}) {
    EXPECT_TRUE(replay["responses"].contains(status)) << status;
  }
  ASSERT_EQ(replay["parameters"].size(), 1U);
  EXPECT_EQ(replay["parameters"][0]["name"], "id");
  EXPECT_EQ(replay["parameters"][0]["in"], "path");
}

TEST(OpenApi, ResourceRoutesCarryTheirSchemas) {
  auto doc = openapi_document(sample_router(), routing_resources());
  const auto& create = doc["paths"]["/api/v1/extensions"]["post"];
  EXPECT_FALSE(create["responses"].contains("200"));
  EXPECT_EQ(create["responses"]["201"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/extensions");
  EXPECT_EQ(create["parameters"][0]["name"], "Idempotency-Key");
  const auto& list = doc["paths"]["/api/v1/extensions"]["get"];
  EXPECT_EQ(list["parameters"].size(), 2U);
  const auto& del = doc["paths"]["/api/v1/extensions/{id}"]["delete"];
  EXPECT_FALSE(del["responses"].contains("200"));
  EXPECT_TRUE(del["responses"].contains("409"));
  // OpenAPI 3.0 allows `nullable` only beside a type.
  for (const auto& [name, schema] : doc["components"]["schemas"].items()) {
    if (!schema.contains("properties")) continue;
    for (const auto& [field, s] : schema["properties"].items()) {
      if (s.contains("nullable")) {
        EXPECT_TRUE(s.contains("type")) << name << "." << field;
      }
    }
  }
}

}  // namespace
}  // namespace pbx::admin
