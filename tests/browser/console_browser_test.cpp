// The web console in a real headless Chromium: this binary starts Postgres, Redis and pbxd with
// the demo tenant, then runs the WebDriver script (console_test.py) against them. The script
// drives the console as a tenant's staff would and checks each result through the admin API.
#include "support/process.hpp"
#include "support/test_env.hpp"

#include <gtest/gtest.h>

#include <iostream>

namespace pbx::testing {
namespace {

constexpr const char* kDomain = "console.cloudonix.net";
constexpr const char* kOwnerEmail = "owner@console.example";
constexpr const char* kOwnerPassword = "console-owner-password";

std::string value_of(const std::string& output, const std::string& key) {
  auto at = output.find(key + "=");
  if (at == std::string::npos) return "";
  at += key.size() + 1;
  return output.substr(at, output.find('\n', at) - at);
}

TEST(BrowserConsole, StaffRunThePbxFromTheBrowser) {
  auto env = TestEnv::get().migrated_env();
  auto demo = ServiceProcess::run(
      {"bootstrap", "--domain", kDomain, "--name", "Console Demo", "--owner-email", kOwnerEmail,
       "--owner-password", kOwnerPassword, "--demo"},
      env);
  ASSERT_EQ(demo.exit_code, 0) << demo.output;
  ServiceProcess svc({"serve"}, env);
  svc.wait_healthy();

  auto dir = make_temp_dir("pbx-browser");
  std::map<std::string, std::string> script_env{
      {"PBX_URL", svc.base_url()},
      {"PBX_BIN", PBX_BINARY},
      {"PBX_DOMAIN", kDomain},
      {"PBX_OWNER_EMAIL", kOwnerEmail},
      {"PBX_OWNER_PASSWORD", kOwnerPassword},
      {"PBX_REQUESTS_KEY", value_of(demo.output, "requests_api_key")},
      {"PBX_WEBHOOK_SECRET", value_of(demo.output, "webhook_secret")},
      {"PBX_WEBHOOK_TOKEN", value_of(demo.output, "webhook_token")},
      {"PBX_CHROMIUM", PBX_CHROMIUM},
      {"PBX_CHROMEDRIVER", PBX_CHROMEDRIVER},
      {"PBX_SCREENSHOTS", PBX_SCREENSHOT_DIR},
      {"PBX_WORK_DIR", dir},
  };
  auto log = dir + "/script.log";
  ChildProcess script({PBX_PYTHON, PBX_BROWSER_SCRIPT}, script_env, log);
  auto status = script.wait(std::chrono::minutes(10));
  auto output = read_file(log);
  std::cout << output << std::flush;
  if (!status) script.kill_and_wait();
  ASSERT_TRUE(status.has_value()) << "the browser script did not finish in 10 minutes";
  EXPECT_EQ(*status, 0) << "pbxd log tail:\n"
                        << svc.log_text().substr(
                               svc.log_text().size() > 4000 ? svc.log_text().size() - 4000 : 0);
  remove_tree(dir);
}

}  // namespace
}  // namespace pbx::testing
