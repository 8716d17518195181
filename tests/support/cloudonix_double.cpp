#include "support/cloudonix_double.hpp"

#include "support/eventually.hpp"

#include <stdexcept>

namespace pbx::testing {

CloudonixDoubleProcess::CloudonixDoubleProcess(
    std::vector<std::pair<std::string, std::string>> domains, std::vector<std::string> extra_args)
    : dir_(make_temp_dir("pbx-cxdouble-")), port_(free_port()) {
  argv_ = {PBX_BINARY, "cloudonix-double", "--port", std::to_string(port_)};
  for (const auto& [name, key] : domains) {
    argv_.insert(argv_.end(), {"--domain", name, "--key", key});
  }
  argv_.insert(argv_.end(), extra_args.begin(), extra_args.end());
  start();
}

CloudonixDoubleProcess::~CloudonixDoubleProcess() {
  stop();
  remove_tree(dir_);
}

void CloudonixDoubleProcess::start() {
  process_ = ChildProcess(argv_, {}, dir_ + "/output.log");
  if (eventually([&] { return http_.get(url() + "/_double/health").status == 200; },
                 std::chrono::seconds(10))) {
    return;
  }
  throw std::runtime_error("cloudonix-double did not start: " + output());
}

void CloudonixDoubleProcess::stop() { process_.kill_and_wait(); }

nlohmann::json CloudonixDoubleProcess::log() {
  return nlohmann::json::parse(http_.get(url() + "/_double/log").body);
}

void CloudonixDoubleProcess::clear_log() { http_.request("DELETE", url() + "/_double/log"); }

nlohmann::json CloudonixDoubleProcess::state() {
  return nlohmann::json::parse(http_.get(url() + "/_double/state").body);
}

nlohmann::json CloudonixDoubleProcess::switches(const nlohmann::json& changes) {
  auto r = http_.request("PUT", url() + "/_double/switches", changes.dump(),
                         {{"Content-Type", "application/json"}});
  if (r.status != 200) throw std::runtime_error("switches refused: " + r.body);
  return nlohmann::json::parse(r.body);
}

void CloudonixDoubleProcess::reset() { http_.request("POST", url() + "/_double/reset"); }

HttpResponse CloudonixDoubleProcess::api(const std::string& method, const std::string& path,
                                         const std::string& key, const nlohmann::json& body) {
  std::map<std::string, std::string> headers{{"Authorization", "Bearer " + key}};
  if (!body.is_null()) headers["Content-Type"] = "application/json";
  return http_.request(method, url() + path, body.is_null() ? "" : body.dump(), headers);
}

std::string CloudonixDoubleProcess::output() const { return read_file(dir_ + "/output.log"); }

}  // namespace pbx::testing
