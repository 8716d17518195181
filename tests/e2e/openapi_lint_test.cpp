// The served OpenAPI document passes Redocly's recommended lint rules (tools/openapi-lint), so
// that client generators and documentation tools take it as it is. Needs Node and the linter's
// pinned packages (scripts/install-deps.sh installs them with the whole suite); skipped without.
#include "support/process.hpp"
#include "support/test_env.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace pbx::testing {
namespace {

TEST(OpenApiLint, TheServedDocumentHasNoLintErrors) {
  const std::string node = PBX_NODE;
  const std::string tool = std::string(PBX_SOURCE_DIR) + "/tools/openapi-lint";
  if (node.empty() || !std::filesystem::exists(tool + "/node_modules/@redocly/openapi-core")) {
    GTEST_SKIP() << "needs node and `npm ci` in tools/openapi-lint";
  }
  ServiceProcess svc({"serve"}, TestEnv::get().migrated_env());
  svc.wait_healthy();
  HttpClient http;
  auto doc = http.get(svc.base_url() + "/api/v1/openapi.json");
  ASSERT_EQ(doc.status, 200);

  auto dir = make_temp_dir("pbx-openapi");
  std::ofstream(dir + "/openapi.json") << doc.body;
  ChildProcess lint({node, tool + "/lint.mjs", dir + "/openapi.json"}, {{"PATH", "/usr/bin:/bin"}},
                    dir + "/lint.log");
  auto status = lint.wait(std::chrono::minutes(2));
  auto output = read_file(dir + "/lint.log");
  ASSERT_TRUE(status.has_value()) << output;
  EXPECT_EQ(*status, 0) << output;
  EXPECT_NE(output.find(": 0 errors"), std::string::npos) << output;
  remove_tree(dir);
}

}  // namespace
}  // namespace pbx::testing
