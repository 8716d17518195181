#include "core/config.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace pbx {
namespace {

TEST(Config, DefaultsWhenNothingIsSet) {
  Config c = load_config({});
  EXPECT_EQ(c.port, 8080);
  EXPECT_EQ(c.http_threads, 4);
  EXPECT_EQ(c.db_pool_size, 8);  // threads + webhook writers + 2
  EXPECT_EQ(c.max_body_bytes, 1024u * 1024u);
  EXPECT_EQ(c.public_base_url, "http://127.0.0.1:8080");
  EXPECT_TRUE(c.state_key.empty());
}

TEST(Config, ReadsTheSecretKeyThenTheEarlierOnes) {
  Config c = load_config(
      {{"PBX_SECRET_KEY", std::string(64, 'c')},
       {"PBX_SECRET_KEY_PREVIOUS", std::string(64, 'b') + " , " + std::string(64, 'a')}});
  ASSERT_EQ(c.secret_keys.size(), 3U);
  EXPECT_EQ(c.secret_keys[0], std::string(32, '\xcc'));
  EXPECT_EQ(c.secret_keys[1], std::string(32, '\xbb'));
  EXPECT_EQ(c.secret_keys[2], std::string(32, '\xaa'));
  EXPECT_TRUE(load_config({}).secret_keys.empty());
}

TEST(Config, ReadsEveryKind) {
  Config c = load_config({{"PBX_PORT", "9000"},
                          {"PBX_HTTP_THREADS", "8"},
                          {"PBX_DATABASE_URL", "postgresql://u:p@h/db"},
                          {"PBX_REDIS_TIMEOUT_MS", "100"},
                          {"PBX_PUBLIC_BASE_URL", "https://pbx.example.com/"},
                          {"PBX_STATE_KEY", std::string(64, 'a')},
                          {"PBX_DEBUG_ROUTES", "true"},
                          {"PBX_LOG_FORMAT", "json"}});
  EXPECT_EQ(c.port, 9000);
  EXPECT_EQ(c.db_pool_size, 12);
  EXPECT_EQ(c.redis_timeout.count(), 100);
  EXPECT_EQ(c.public_base_url, "https://pbx.example.com");  // trailing slash dropped
  EXPECT_EQ(c.state_key.size(), 32u);
  EXPECT_TRUE(c.debug_routes);
  EXPECT_EQ(c.log_format, "json");
}

TEST(Config, AdminWorkerPoolHasSaneDefaultsAndBounds) {
  Config defaults = load_config({});
  EXPECT_EQ(defaults.admin_workers, 2);
  EXPECT_EQ(defaults.admin_queue, 64);
  Config c = load_config({{"PBX_ADMIN_WORKERS", "6"}, {"PBX_ADMIN_QUEUE", "0"}});
  EXPECT_EQ(c.admin_workers, 6);
  EXPECT_EQ(c.admin_queue, 0);  // no waiting: busy workers mean 503 at once
  EXPECT_NE(c.describe().find("admin_workers=6 admin_queue=0"), std::string::npos) << c.describe();
}

void expect_error_naming(const Environment& env, const std::string& name) {
  try {
    load_config(env);
    FAIL() << "no error for " << name;
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
  }
}

TEST(Config, BadValuesNameTheirVariable) {
  expect_error_naming({{"PBX_PORT", "http"}}, "PBX_PORT");
  expect_error_naming({{"PBX_PORT", "70000"}}, "PBX_PORT");
  expect_error_naming({{"PBX_PORT", "80x"}}, "PBX_PORT");
  expect_error_naming({{"PBX_HTTP_THREADS", "0"}}, "PBX_HTTP_THREADS");
  expect_error_naming({{"PBX_DEBUG_ROUTES", "maybe"}}, "PBX_DEBUG_ROUTES");
  expect_error_naming({{"PBX_LOG_LEVEL", "loud"}}, "PBX_LOG_LEVEL");
  expect_error_naming({{"PBX_PUBLIC_BASE_URL", "ftp://x"}}, "PBX_PUBLIC_BASE_URL");
  expect_error_naming({{"PBX_STATE_KEY", "short"}}, "PBX_STATE_KEY");
  expect_error_naming({{"PBX_SECRET_KEY", std::string(62, 'a')}}, "PBX_SECRET_KEY");
  expect_error_naming({{"PBX_SECRET_KEY", std::string(66, 'a')}}, "PBX_SECRET_KEY");
  expect_error_naming({{"PBX_SECRET_KEY", std::string(64, 'g')}}, "PBX_SECRET_KEY");
  expect_error_naming({{"PBX_SECRET_KEY_PREVIOUS", std::string(64, 'a')}}, "PBX_SECRET_KEY");
  expect_error_naming(
      {{"PBX_SECRET_KEY", std::string(64, 'a')}, {"PBX_SECRET_KEY_PREVIOUS", "aa, bb"}},
      "PBX_SECRET_KEY_PREVIOUS");
  expect_error_naming({{"PBX_DATABASE_URL", "mysql:x"}}, "PBX_DATABASE_URL");
  expect_error_naming({{"PBX_REDIS_URL", "localhost"}}, "PBX_REDIS_URL");
  expect_error_naming({{"PBX_ADMIN_WORKERS", "0"}}, "PBX_ADMIN_WORKERS");
  expect_error_naming({{"PBX_ADMIN_WORKERS", "257"}}, "PBX_ADMIN_WORKERS");
  expect_error_naming({{"PBX_ADMIN_WORKERS", "two"}}, "PBX_ADMIN_WORKERS");
  expect_error_naming({{"PBX_ADMIN_QUEUE", "-1"}}, "PBX_ADMIN_QUEUE");
  expect_error_naming({{"PBX_ADMIN_QUEUE", "100001"}}, "PBX_ADMIN_QUEUE");
}

TEST(Config, EventStreamBudgetAndWebhookLogRetention) {
  Config defaults = load_config({});
  EXPECT_EQ(defaults.event_stream_max_bytes, 32 * 1024 * 1024);
  EXPECT_EQ(defaults.event_stream_entry_max_bytes, 4096);
  EXPECT_EQ(defaults.webhook_log_retention_days, 30);
  Config c = load_config({{"PBX_EVENT_STREAM_MAX_BYTES", "1048576"},
                          {"PBX_EVENT_STREAM_ENTRY_MAX_BYTES", "2048"},
                          {"PBX_WEBHOOK_LOG_RETENTION_DAYS", "7"}});
  EXPECT_EQ(c.event_stream_max_bytes, 1048576);
  EXPECT_EQ(c.event_stream_entry_max_bytes, 2048);
  EXPECT_EQ(c.webhook_log_retention_days, 7);
  expect_error_naming({{"PBX_EVENT_STREAM_ENTRY_MAX_BYTES", "512"}},
                      "PBX_EVENT_STREAM_ENTRY_MAX_BYTES");
  expect_error_naming({{"PBX_EVENT_STREAM_MAX_BYTES", "100"}}, "PBX_EVENT_STREAM_MAX_BYTES");
  // A budget smaller than one entry could hold nothing.
  expect_error_naming(
      {{"PBX_EVENT_STREAM_MAX_BYTES", "70000"}, {"PBX_EVENT_STREAM_ENTRY_MAX_BYTES", "100000"}},
      "PBX_EVENT_STREAM_MAX_BYTES");
  expect_error_naming({{"PBX_WEBHOOK_LOG_RETENTION_DAYS", "0"}}, "PBX_WEBHOOK_LOG_RETENTION_DAYS");
}

TEST(Config, CdrRetentionAndTheReportReplica) {
  Config defaults = load_config({});
  EXPECT_EQ(defaults.cdr_retention_days, 400);
  EXPECT_TRUE(defaults.database_replica_url.empty());
  EXPECT_EQ(defaults.replica_max_lag, std::chrono::seconds(10));
  Config c = load_config({{"PBX_CDR_RETENTION_DAYS", "90"},
                          {"PBX_DATABASE_REPLICA_URL", "postgresql://reader:pw@replica/pbx"},
                          {"PBX_DATABASE_REPLICA_MAX_LAG_MS", "2500"}});
  EXPECT_EQ(c.cdr_retention_days, 90);
  EXPECT_EQ(c.database_replica_url, "postgresql://reader:pw@replica/pbx");
  EXPECT_EQ(c.replica_max_lag, std::chrono::milliseconds(2500));
  EXPECT_EQ(c.describe().find("pw@"), std::string::npos) << c.describe();
  EXPECT_NE(c.describe().find("db_replica=postgresql://reader:***@replica/pbx"), std::string::npos)
      << c.describe();
  expect_error_naming({{"PBX_CDR_RETENTION_DAYS", "0"}}, "PBX_CDR_RETENTION_DAYS");
  expect_error_naming({{"PBX_DATABASE_REPLICA_URL", "mysql:x"}}, "PBX_DATABASE_REPLICA_URL");
  expect_error_naming({{"PBX_DATABASE_REPLICA_MAX_LAG_MS", "10"}},
                      "PBX_DATABASE_REPLICA_MAX_LAG_MS");
}

TEST(Config, TrustedProxiesAreAddressesAndRanges) {
  EXPECT_TRUE(load_config({}).trusted_proxies.empty()) << "by default no proxy is trusted";
  Config c = load_config(
      {{"PBX_TRUSTED_PROXIES", " 10.0.0.0/8, 192.168.1.7 ,2001:db8::/32,::1,172.16.0.0/12"}});
  ASSERT_EQ(c.trusted_proxies.size(), 5u);
  auto trusted = [&](const char* text) {
    auto a = ip::parse_address(text);
    EXPECT_TRUE(a.has_value()) << text;
    return a && ip::in_any(c.trusted_proxies, *a);
  };
  EXPECT_TRUE(trusted("10.255.0.1"));
  EXPECT_TRUE(trusted("192.168.1.7"));
  EXPECT_FALSE(trusted("192.168.1.8"));
  EXPECT_TRUE(trusted("2001:db8:1::5"));
  EXPECT_FALSE(trusted("2001:db9::5"));
  EXPECT_TRUE(trusted("::1"));
  EXPECT_TRUE(trusted("172.31.255.255"));
  EXPECT_FALSE(trusted("172.32.0.0"));
  EXPECT_TRUE(trusted("::ffff:10.1.2.3")) << "an IPv4-mapped IPv6 address is its IPv4 address";
  EXPECT_FALSE(trusted("11.0.0.1"));
  EXPECT_NE(c.describe().find("trusted_proxies=5"), std::string::npos) << c.describe();
  EXPECT_EQ(load_config({{"PBX_TRUSTED_PROXIES", "0.0.0.0/0"}}).trusted_proxies.size(), 1u);

  for (const char* bad : {"10.0.0.0/33", "10.0.0.0/", "10.0.0/8", "10.0.0.0/8/8", "10.0.0.0/-1",
                          "10.0.0.0/+8", "10.0.0.0/ 8", "2001:db8::/129", "proxy.internal",
                          "10.0.0.1,,10.0.0.2", "10.0.0.1,", "1.2.3.4:80", "[::1]", "*"}) {
    expect_error_naming({{"PBX_TRUSTED_PROXIES", bad}}, "PBX_TRUSTED_PROXIES");
  }
}

TEST(Config, EnvFileSkipsCommentsAndRejectsGarbage) {
  std::string path = ::testing::TempDir() + "/pbx_config_test.env";
  {
    std::ofstream out(path);
    out << "# comment\n\nPBX_PORT=9100\r\n  PBX_LOG_LEVEL=debug\n";
  }
  auto env = read_env_file(path);
  EXPECT_EQ(env.at("PBX_PORT"), "9100");
  EXPECT_EQ(load_config(env).log_level, "debug");
  {
    std::ofstream out(path);
    out << "PBX_PORT\n";
  }
  EXPECT_THROW(read_env_file(path), ConfigError);
  std::remove(path.c_str());
  EXPECT_THROW(read_env_file(path), ConfigError);
}

TEST(Config, DescriptionNeverShowsPasswords) {
  Config c = load_config({{"PBX_DATABASE_URL", "postgresql://pbx:s3cret@db:5432/pbx"},
                          {"PBX_REDIS_URL", "redis://:r3dis@cache:6379"}});
  auto text = c.describe();
  EXPECT_EQ(text.find("s3cret"), std::string::npos) << text;
  EXPECT_EQ(text.find("r3dis"), std::string::npos) << text;
  EXPECT_NE(text.find("postgresql://pbx:***@db:5432/pbx"), std::string::npos) << text;
  EXPECT_EQ(mask_url_password("host=db password=abc user=x"), "host=db password=*** user=x");
  EXPECT_EQ(mask_url_password("postgresql://pbx@db/pbx"), "postgresql://pbx@db/pbx");
}

}  // namespace
}  // namespace pbx
