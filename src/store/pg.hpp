#pragma once

#include "core/error.hpp"

#include <pqxx/pqxx>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace pbx::store {

// A named SQL statement, prepared once on every pooled connection.
struct Statement {
  const char* name;
  const char* sql;
};

struct PgOptions {
  std::string url;
  int pool_size = 6;
  std::chrono::milliseconds statement_timeout{2000};
  std::chrono::seconds connect_timeout{3};
  std::chrono::milliseconds checkout_timeout{2000};
};

// libpq connection string with our connect timeout, statement timeout and application name.
std::string connection_string(const PgOptions& options);

// A fixed-size pool of libpqxx connections (one connection is never used by two threads).
// Connections open lazily; a connection found broken is reopened and the work retried once,
// so a Postgres restart costs no request. While Postgres is unreachable, work fails fast
// with Error::unavailable instead of waiting for a connect timeout on every request.
class PgPool {
 public:
  PgPool(PgOptions options, std::vector<Statement> statements);
  ~PgPool();
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  // Runs fn(pqxx::connection&) on a pooled connection. fn must be safe to run twice: it is
  // retried once on a fresh connection when the first one turns out to be broken.
  template <typename Fn>
  auto with(Fn&& fn) -> decltype(fn(std::declval<pqxx::connection&>())) {
    for (int attempt = 0;; ++attempt) {
      Lease lease(*this);
      try {
        return fn(lease.conn());
      } catch (const pqxx::in_doubt_error&) {
        lease.discard();
        throw Error::unavailable("database connection lost during commit");
      } catch (const pqxx::broken_connection&) {
        lease.discard();
        if (attempt > 0) throw Error::unavailable("database unavailable");
      } catch (const pqxx::sql_error& e) {
        throw translate(e);
      }
    }
  }

  bool ping();

 private:
  struct Slot {
    std::unique_ptr<pqxx::connection> conn;
    bool busy = false;
  };

  class Lease {
   public:
    explicit Lease(PgPool& pool);
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    pqxx::connection& conn() { return *slot_->conn; }
    void discard() { slot_->conn.reset(); }

   private:
    PgPool& pool_;
    Slot* slot_;
  };

  Slot* acquire();
  void release(Slot* slot);
  void open(Slot& slot);
  static Error translate(const pqxx::sql_error& e);

  PgOptions options_;
  std::string conninfo_;
  std::vector<Statement> statements_;
  std::vector<Slot> slots_;
  std::mutex mutex_;
  std::condition_variable freed_;
  std::chrono::steady_clock::time_point down_until_{};
};

}  // namespace pbx::store
