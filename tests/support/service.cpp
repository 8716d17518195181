#include "support/service.hpp"

#include "support/eventually.hpp"
#include "support/http_client.hpp"

#include <gtest/gtest.h>

namespace pbx::testing {

ServiceProcess::ServiceProcess(std::vector<std::string> args, Env env, int port)
    : dir_(make_temp_dir("pbx-svc-")), port_(port != 0 ? port : free_port()) {
  env["PBX_PORT"] = std::to_string(port_);
  env["PBX_HOST"] = "127.0.0.1";
  env.emplace("PBX_PUBLIC_BASE_URL", base_url());
  env.emplace("PBX_HTTP_THREADS", "2");
  args.insert(args.begin(), PBX_BINARY);
  process_ = ChildProcess(args, env, dir_ + "/service.log");
}

ServiceProcess::~ServiceProcess() {
  process_.kill_and_wait();
  if (!::testing::Test::HasFailure()) remove_tree(dir_);
}

void ServiceProcess::wait_healthy(std::chrono::seconds limit) {
  HttpClient http;
  bool exited = false;
  bool healthy = eventually(
      [&] {
        exited = !process_.running();
        return exited ||
               http.request("GET", base_url() + "/health", "", {}, std::chrono::seconds(2))
                       .status == 200;
      },
      limit);
  if (exited) FAIL() << "pbxd exited:\n" << log_text();
  if (healthy) return;
  FAIL() << "pbxd not healthy in time:\n" << log_text();
}

std::string ServiceProcess::log_text() const { return read_file(dir_ + "/service.log"); }

int ServiceProcess::wait_exit(std::chrono::seconds limit) {
  return process_.wait(limit).value_or(-1);
}

ServiceProcess::Result ServiceProcess::run(const std::vector<std::string>& args, const Env& env,
                                           std::chrono::seconds limit) {
  auto dir = make_temp_dir("pbx-run-");
  std::vector<std::string> argv{PBX_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess p(argv, env, dir + "/out.log");
  auto rc = p.wait(limit);
  if (!rc) p.kill_and_wait();
  Result r{rc.value_or(-1), read_file(dir + "/out.log")};
  remove_tree(dir);
  return r;
}

}  // namespace pbx::testing
