#include "store/retention.hpp"

#include <spdlog/spdlog.h>

#include <utility>

namespace pbx::store {

Retention::Retention(PgPool& pg, std::vector<AgedRows> kinds, RetentionOptions options)
    : pg_(pg), kinds_(std::move(kinds)), options_(options) {}

Retention::~Retention() { stop(); }

void Retention::start() {
  thread_ = std::thread([this] {
    do {
      run_once();
    } while (stop_.wait(options_.interval));
  });
}

void Retention::stop() {
  stop_.stop();
  if (thread_.joinable()) thread_.join();
}

std::uint64_t Retention::remove_all(const AgedRows& kind, const std::optional<std::string>& tenant,
                                    int days) {
  std::uint64_t total = 0;
  for (;;) {
    auto n = pg_.with([&](pqxx::connection& conn) {
      pqxx::work tx(conn);
      auto removed = kind.remove(tx, tenant, days, options_.batch);
      tx.commit();
      return removed;
    });
    total += n;
    kind.removed->inc(n);
    if (n < static_cast<std::uint64_t>(options_.batch) || !stop_.wait(options_.pause)) return total;
  }
}

std::uint64_t Retention::run_once() {
  std::uint64_t total = 0;
  for (const auto& kind : kinds_) {
    std::uint64_t removed = 0;
    try {
      auto scopes = pg_.with([&](pqxx::connection& conn) {
        pqxx::read_transaction tx(conn);
        std::vector<std::pair<std::optional<std::string>, int>> all;
        for (const auto& r : tx.exec_prepared(kind.scopes, kind.keep_days)) {
          all.emplace_back(r[0].is_null() ? std::nullopt : std::optional(r[0].as<std::string>()),
                           r[1].as<int>());
        }
        return all;
      });
      for (const auto& [tenant, days] : scopes) {
        if (stop_.stopping()) break;
        removed += remove_all(kind, tenant, days);
      }
    } catch (const std::exception& e) {
      kind.failures->inc();
      spdlog::warn("{} retention: {}", kind.what, e.what());
    }
    if (removed > 0) spdlog::info("{} retention: {} removed", kind.what, removed);
    total += removed;
  }
  return total;
}

}  // namespace pbx::store
