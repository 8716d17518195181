#include "support/servers.hpp"

#include "support/eventually.hpp"

#include <unistd.h>
#include <pqxx/pqxx>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>

namespace pbx::testing {

namespace {

std::string pg_bindir() {
  std::string best;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql")) {
    auto bin = entry.path() / "bin";
    if (std::filesystem::exists(bin / "postgres") && bin.string() > best) best = bin.string();
  }
  if (best.empty()) throw std::runtime_error("PostgreSQL server binaries not found");
  return best;
}

std::optional<std::string> server_user() {
  if (running_as_root()) return std::string("postgres");
  return std::nullopt;
}

void chown_to_postgres(const std::string& path) {
  if (!running_as_root()) return;
  std::string cmd = "chown -R postgres:postgres '" + path + "'";
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("chown failed: " + path);
}

int run_to_end(const std::vector<std::string>& argv, const std::string& log,
               std::optional<std::string> user = std::nullopt) {
  ChildProcess p(argv, {}, log, std::move(user));
  auto rc = p.wait(std::chrono::seconds(120));
  return rc.value_or(-1);
}

}  // namespace

PgServer::PgServer() : dir_(make_temp_dir("pbx-pg-")), bin_(pg_bindir()), port_(free_port()) {
  std::filesystem::create_directories(dir_ + "/data");
  chown_to_postgres(dir_);
  int rc = run_to_end({bin_ + "/initdb", "-D", dir_ + "/data", "-U", "postgres", "-A", "trust",
                       "-E", "UTF8", "--locale=C", "--no-sync"},
                      dir_ + "/initdb.log", server_user());
  if (rc != 0) throw std::runtime_error("initdb failed: " + read_file(dir_ + "/initdb.log"));
  start();
  execute("CREATE DATABASE pbx", "postgres");
}

PgServer::PgServer(Empty) : dir_(make_temp_dir("pbx-pg-")), bin_(pg_bindir()), port_(free_port()) {}

std::unique_ptr<PgServer> PgServer::standby_of(const PgServer& primary) {
  std::unique_ptr<PgServer> standby(new PgServer(Empty{}));
  const auto& dir = standby->dir_;
  chown_to_postgres(dir);
  // -R writes the standby's settings (standby.signal, primary_conninfo); -X stream also copies
  // the WAL written during the copy; a fast checkpoint starts the copy at once instead of at the
  // primary's next scheduled checkpoint.
  int rc = run_to_end({standby->bin_ + "/pg_basebackup", "-h", "127.0.0.1", "-p",
                       std::to_string(primary.port()), "-U", "postgres", "-D", dir + "/data", "-R",
                       "-X", "stream", "--checkpoint=fast", "--no-sync"},
                      dir + "/basebackup.log", server_user());
  if (rc != 0)
    throw std::runtime_error("pg_basebackup failed: " + read_file(dir + "/basebackup.log"));
  standby->start();
  return standby;
}

PgServer::~PgServer() {
  stop();
  remove_tree(dir_);
}

std::string PgServer::url(const std::string& database) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

void PgServer::start() {
  server_ = ChildProcess({bin_ + "/postgres", "-D", dir_ + "/data", "-p", std::to_string(port_),
                          "-k", dir_, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c",
                          "max_connections=300", "-c", "shared_buffers=64MB"},
                         {}, dir_ + "/server.log", server_user());
  wait_ready();
}

void PgServer::wait_ready() {
  auto accepts = [&] {
    if (!server_.running()) {
      throw std::runtime_error("postgres exited: " + read_file(dir_ + "/server.log"));
    }
    try {
      pqxx::connection c(url("postgres") + "?connect_timeout=2");
      return true;
    } catch (const std::exception&) {
      return false;
    }
  };
  if (eventually(accepts, std::chrono::seconds(30))) return;
  throw std::runtime_error("postgres did not start: " + read_file(dir_ + "/server.log"));
}

void PgServer::stop() {
  if (!server_.running()) return;
  server_.signal(SIGINT);  // fast shutdown: disconnects clients, writes a checkpoint
  if (!server_.wait(std::chrono::seconds(30))) server_.kill_and_wait();
}

void PgServer::kill() {
  server_.kill_and_wait();
  // Orphaned backends notice their postmaster is gone and exit; wait for the port to free.
  eventually([&] { return !port_open(port_); }, std::chrono::seconds(5));
}

void PgServer::execute(const std::string& sql, const std::string& database) {
  pqxx::connection c(url(database));
  pqxx::nontransaction tx(c);
  tx.exec(sql);
}

std::string PgServer::query_scalar(const std::string& sql, const std::string& database) {
  pqxx::connection c(url(database));
  pqxx::nontransaction tx(c);
  auto r = tx.exec(sql);
  if (r.empty() || r[0][0].is_null()) return "";
  return r[0][0].as<std::string>();
}

RedisServer::RedisServer() : dir_(make_temp_dir("pbx-redis-")), port_(free_port()) { start(); }

RedisServer::~RedisServer() {
  stop();
  remove_tree(dir_);
}

std::string RedisServer::url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

void RedisServer::start() {
  server_ = ChildProcess({"/usr/bin/redis-server", "--port", std::to_string(port_), "--bind",
                          "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir_},
                         {}, dir_ + "/redis.log");
  auto listening = [&] {
    if (port_open(port_)) return true;
    if (!server_.running())
      throw std::runtime_error("redis exited: " + read_file(dir_ + "/redis.log"));
    return false;
  };
  if (eventually(listening, std::chrono::seconds(5))) return;
  throw std::runtime_error("redis did not start");
}

void RedisServer::stop() {
  if (!server_.running()) return;
  server_.signal(SIGTERM);
  if (!server_.wait(std::chrono::seconds(10))) server_.kill_and_wait();
}

void RedisServer::kill() { server_.kill_and_wait(); }

std::string RedisServer::cli(const std::string& args) {
  std::string cmd = "redis-cli -p " + std::to_string(port_) + " " + args + " 2>&1";
  std::unique_ptr<FILE, decltype(&pclose)> pipe(popen(cmd.c_str(), "r"), pclose);
  std::string out;
  char buf[4096];
  while (pipe && fgets(buf, sizeof(buf), pipe.get()) != nullptr) out += buf;
  return out;
}

}  // namespace pbx::testing
