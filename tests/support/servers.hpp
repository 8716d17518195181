#pragma once

#include "support/process.hpp"

#include <memory>
#include <string>

namespace pbx::testing {

// A private, throw-away PostgreSQL cluster on 127.0.0.1 and a free port (fsync off: tests
// only). When we are root the server runs as the `postgres` user, as it must.
class PgServer {
 public:
  PgServer();
  ~PgServer();
  // A streaming replica of `primary`, copied with pg_basebackup, on a port of its own.
  static std::unique_ptr<PgServer> standby_of(const PgServer& primary);
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  std::string url(const std::string& database = "pbx") const;
  int port() const { return port_; }
  void start();  // again, on the same port and data
  void stop();   // fast shutdown
  void kill();   // SIGKILL, as in a crash

  void execute(const std::string& sql, const std::string& database = "pbx");
  // The first column of the first row as text ("" for NULL or no row).
  std::string query_scalar(const std::string& sql, const std::string& database = "pbx");

 private:
  struct Empty {};
  explicit PgServer(Empty);
  void wait_ready();
  std::string dir_;
  std::string bin_;
  int port_ = 0;
  ChildProcess server_;
};

// A private Redis on 127.0.0.1 and a free port, persisting nothing.
class RedisServer {
 public:
  RedisServer();
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  std::string url() const;
  int port() const { return port_; }
  void start();  // again, on the same port
  void stop();
  void kill();  // SIGKILL, as in a crash
  // Runs one command through redis-cli and returns its output.
  std::string cli(const std::string& args);

 private:
  std::string dir_;
  int port_ = 0;
  ChildProcess server_;
};

}  // namespace pbx::testing
