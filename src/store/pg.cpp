#include "store/pg.hpp"

#include "core/metrics.hpp"
#include "core/url.hpp"
#include "store/dependency.hpp"

#include <spdlog/spdlog.h>

namespace pbx::store {

namespace {

metrics::Counter& errors() {
  static auto& c = store::dependency_errors("postgres");
  return c;
}

}  // namespace

std::string connection_string(const PgOptions& o) {
  std::string options = "-c statement_timeout=" + std::to_string(o.statement_timeout.count());
  std::string timeout = std::to_string(o.connect_timeout.count());
  if (o.url.rfind("postgres://", 0) == 0 || o.url.rfind("postgresql://", 0) == 0) {
    char sep = o.url.find('?') == std::string::npos ? '?' : '&';
    return o.url + sep + "connect_timeout=" + timeout +
           "&application_name=pbxd&options=" + url::percent_encode(options);
  }
  return o.url + " connect_timeout=" + timeout + " application_name=pbxd options='" + options + "'";
}

PgPool::PgPool(PgOptions options, std::vector<Statement> statements)
    : options_(std::move(options)),
      conninfo_(connection_string(options_)),
      statements_(std::move(statements)),
      slots_(static_cast<size_t>(options_.pool_size)) {}

PgPool::~PgPool() = default;

PgPool::Lease::Lease(PgPool& pool) : pool_(pool), slot_(pool.acquire()) {}

PgPool::Lease::~Lease() { pool_.release(slot_); }

PgPool::Slot* PgPool::acquire() {
  Slot* slot = nullptr;
  {
    std::unique_lock lock(mutex_);
    auto pick = [&] {
      for (auto& s : slots_) {
        if (!s.busy) return &s;
      }
      return static_cast<Slot*>(nullptr);
    };
    if (!freed_.wait_for(lock, options_.checkout_timeout,
                         [&] { return (slot = pick()) != nullptr; })) {
      errors().inc();
      throw Error::unavailable("database busy");
    }
    slot->busy = true;
    if (!slot->conn && std::chrono::steady_clock::now() < down_until_) {
      slot->busy = false;
      throw Error::unavailable("database unavailable");
    }
  }
  if (!slot->conn) {
    try {
      open(*slot);
    } catch (...) {
      release(slot);
      throw;
    }
  }
  return slot;
}

void PgPool::release(Slot* slot) {
  {
    std::lock_guard lock(mutex_);
    slot->busy = false;
  }
  freed_.notify_one();
}

void PgPool::open(Slot& slot) {
  try {
    auto conn = std::make_unique<pqxx::connection>(conninfo_);
    for (const auto& st : statements_) conn->prepare(st.name, st.sql);
    slot.conn = std::move(conn);
  } catch (const std::exception& e) {
    errors().inc();
    {
      std::lock_guard lock(mutex_);
      down_until_ = std::chrono::steady_clock::now() + kRetryAfterFailure;
    }
    spdlog::warn("postgres connect failed: {}", e.what());
    throw Error::unavailable("database unavailable");
  }
}

Error PgPool::translate(const pqxx::sql_error& e) {
  const std::string& state = e.sqlstate();
  // query_canceled: our statement timeout fired. Postgres is up; the work was too long.
  if (state == "57014") {
    errors().inc();
    return Error::timeout("database timeout");
  }
  if (state.rfind("08", 0) == 0 || state.rfind("57P", 0) == 0 || state == "53300") {
    errors().inc();
    return Error::unavailable("database unavailable");
  }
  // The SQL and its message stay in our log; the caller sees a generic internal error.
  spdlog::error("sql error {}: {} (query: {})", state, e.what(), e.query());
  return Error::internal();
}

bool PgPool::ping() {
  try {
    return with([](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      return tx.exec("SELECT 1")[0][0].as<int>() == 1;
    });
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace pbx::store
