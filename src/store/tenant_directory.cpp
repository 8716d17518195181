#include "store/tenant_directory.hpp"

#include "core/crypto.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "store/sealed_columns.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

namespace pbx::store {

std::vector<std::string> TenantEntry::secrets_at(std::chrono::system_clock::time_point now) const {
  std::vector<std::string> out;
  for (const auto& s : webhook_secrets) {
    if (!s.expires_at || *s.expires_at > now) out.push_back(s.secret);
  }
  return out;
}

bool TenantEntry::owns_domain(std::string_view claimed) const {
  auto key = text::domain_key(claimed);
  return std::find(domain_keys.begin(), domain_keys.end(), key) != domain_keys.end();
}

bool TenantEntry::token_valid_at(std::string_view token_hash,
                                 std::chrono::system_clock::time_point now) const {
  bool valid = false;
  for (const auto& t : webhook_tokens) {
    // No early exit: the time taken does not reveal which token matched.
    valid |=
        crypto::constant_time_equal(t.hash, token_hash) && (!t.expires_at || *t.expires_at > now);
  }
  return valid;
}

bool TenantEntry::requests_key_valid_at(std::string_view key_hash,
                                        std::chrono::system_clock::time_point now) const {
  // Both compared, with no early exit: the time taken does not reveal which key matched.
  bool valid =
      !requests_key_hash.empty() && crypto::constant_time_equal(requests_key_hash, key_hash);
  if (previous_requests_key) {
    valid |= crypto::constant_time_equal(previous_requests_key->hash, key_hash) &&
             previous_requests_key->expires_at > now;
  }
  return valid;
}

std::vector<Statement> TenantDirectory::statements() {
  // The previous key's end is checked when it is used, so an expired one needs no reload.
  static const std::string tenant =
      std::string("SELECT ") + kTenantColumns +
      ", encode(requests_key_hash, 'hex'), encode(requests_key_previous_hash, 'hex'),"
      " extract(epoch FROM requests_key_previous_expires_at)::bigint FROM tenants WHERE id = $1";
  return {
      {"directory_versions", "SELECT id::text, config_version FROM tenants"},
      {"directory_tenant", tenant.c_str()},
      // The newest $2 valid ones (kMaxValidWebhookCredentials), whatever rows there are.
      {"directory_secrets",
       "SELECT id::text, secret, extract(epoch FROM expires_at)::bigint FROM webhook_secrets"
       " WHERE tenant_id = $1 AND (expires_at IS NULL OR expires_at > now())"
       " ORDER BY created_at DESC, id DESC LIMIT $2"},
      {"directory_domain_keys", "SELECT key FROM tenant_domain_keys WHERE tenant_id = $1"},
      {"directory_tokens",
       "SELECT encode(token_hash, 'hex'), extract(epoch FROM expires_at)::bigint"
       " FROM webhook_tokens WHERE tenant_id = $1 AND (expires_at IS NULL OR expires_at > now())"
       " ORDER BY created_at DESC, id DESC LIMIT $2"},
  };
}

TenantDirectory::TenantDirectory(PgPool& pg, const crypto::SecretBox& box, SnapshotLoader loader)
    : pg_(pg), box_(box), loader_(std::move(loader)), index_(std::make_shared<const Index>()) {}

TenantDirectory::~TenantDirectory() {
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (poller_.joinable()) poller_.join();
}

std::shared_ptr<const TenantEntry> TenantDirectory::load_entry(pqxx::transaction_base& tx,
                                                               const std::string& id) {
  auto rows = tx.exec_prepared("directory_tenant", id);
  if (rows.empty()) return nullptr;
  const auto& r = rows[0];
  auto entry = std::make_shared<TenantEntry>();
  entry->tenant = tenant_from(r);
  if (!r[11].is_null())
    entry->requests_key_hash = crypto::from_hex(r[11].as<std::string>()).value_or("");
  if (!r[12].is_null() && !r[13].is_null()) {
    entry->previous_requests_key = PreviousRequestsKey{
        crypto::from_hex(r[12].as<std::string>()).value_or(""),
        std::chrono::system_clock::time_point(std::chrono::seconds(r[13].as<long long>()))};
  }
  for (const auto& s : tx.exec_prepared("directory_secrets", id, kMaxValidWebhookCredentials)) {
    auto secret_id = s[0].as<std::string>();
    auto opened = box_.open(s[1].as<std::string>(), webhook_secret_context(id, secret_id));
    if (!opened) {
      // Plain text (sealed when pbxd next starts), sealed under a key this instance lacks, or
      // copied from another row: never used as it is.
      spdlog::warn(
          "tenant {}: webhook secret {} does not open with PBX_SECRET_KEY or "
          "PBX_SECRET_KEY_PREVIOUS; left out",
          id, secret_id);
      continue;
    }
    WebhookSecret secret{std::move(*opened), std::nullopt};
    if (!s[2].is_null()) {
      secret.expires_at =
          std::chrono::system_clock::time_point(std::chrono::seconds(s[2].as<long long>()));
    }
    entry->webhook_secrets.push_back(std::move(secret));
  }
  for (const auto& k : tx.exec_prepared("directory_domain_keys", id)) {
    entry->domain_keys.push_back(k[0].as<std::string>());
  }
  for (const auto& row : tx.exec_prepared("directory_tokens", id, kMaxValidWebhookCredentials)) {
    WebhookToken token{crypto::from_hex(row[0].as<std::string>()).value_or(""), std::nullopt};
    if (!row[1].is_null()) {
      token.expires_at =
          std::chrono::system_clock::time_point(std::chrono::seconds(row[1].as<long long>()));
    }
    entry->webhook_tokens.push_back(std::move(token));
  }
  if (loader_) entry->routing = loader_(tx, entry->tenant);
  return entry;
}

bool TenantDirectory::refresh() {
  std::lock_guard guard(refresh_mutex_);
  try {
    auto next = pg_.with([&](pqxx::connection& conn) -> std::shared_ptr<const Index> {
      // One snapshot of the whole database, so a tenant and its rows are read consistently.
      pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(conn);
      auto current = index_.load();
      auto fresh = std::make_shared<Index>();
      bool changed = false;
      for (const auto& row : tx.exec_prepared("directory_versions")) {
        auto id = row[0].as<std::string>();
        auto version = row[1].as<long long>();
        auto it = current->by_id.find(id);
        std::shared_ptr<const TenantEntry> entry;
        if (it != current->by_id.end() && it->second->tenant.config_version == version) {
          entry = it->second;
        } else {
          entry = load_entry(tx, id);
          changed = true;
          if (!entry) continue;
        }
        fresh->by_id.emplace(id, entry);
      }
      if (!changed && fresh->by_id.size() == current->by_id.size()) return nullptr;
      for (const auto& [id, entry] : fresh->by_id) {
        if (!entry->requests_key_hash.empty())
          fresh->by_key_hash.emplace(entry->requests_key_hash, entry);
        if (entry->previous_requests_key)
          fresh->by_key_hash.emplace(entry->previous_requests_key->hash, entry);
        for (const auto& t : entry->webhook_tokens) fresh->by_token_hash.emplace(t.hash, entry);
        // Keys are unique across tenants in the database (tenant_domain_keys' primary key).
        for (const auto& key : entry->domain_keys) fresh->by_domain.emplace(key, entry);
      }
      tx.commit();
      return fresh;
    });
    if (next) {
      spdlog::info("tenant directory reloaded: {} tenants", next->by_id.size());
      index_.store(std::move(next));
    }
    loaded_ = true;
    return true;
  } catch (const std::exception& e) {
    spdlog::warn("tenant directory refresh failed (serving the last one): {}", e.what());
    return false;
  }
}

void TenantDirectory::start_polling(std::chrono::milliseconds interval) {
  poller_ = std::thread([this, interval] {
    std::unique_lock lock(stop_mutex_);
    while (!stop_cv_.wait_for(lock, interval, [this] { return stopping_; })) {
      lock.unlock();
      refresh();
      lock.lock();
    }
  });
}

std::shared_ptr<const TenantEntry> TenantDirectory::by_requests_key(
    std::string_view key, std::chrono::system_clock::time_point now) const {
  if (key.empty()) return nullptr;
  auto hash = crypto::sha256(key);
  auto index = index_.load();
  auto it = index->by_key_hash.find(hash);
  // The map lookup already matched the hash; the constant-time compare keeps the final
  // decision free of data-dependent timing.
  if (it == index->by_key_hash.end() || !it->second->requests_key_valid_at(hash, now)) {
    return nullptr;
  }
  return it->second;
}

std::shared_ptr<const TenantEntry> TenantDirectory::by_webhook_token(
    std::string_view token, std::chrono::system_clock::time_point now) const {
  if (token.empty()) return nullptr;
  auto hash = crypto::sha256(token);
  auto index = index_.load();
  auto it = index->by_token_hash.find(hash);
  if (it == index->by_token_hash.end() || !it->second->token_valid_at(hash, now)) return nullptr;
  return it->second;
}

std::shared_ptr<const TenantEntry> TenantDirectory::by_domain(std::string_view domain) const {
  auto index = index_.load();
  auto it = index->by_domain.find(text::domain_key(domain));
  return it == index->by_domain.end() ? nullptr : it->second;
}

std::shared_ptr<const TenantEntry> TenantDirectory::by_id(const std::string& id) const {
  auto index = index_.load();
  auto it = index->by_id.find(id);
  return it == index->by_id.end() ? nullptr : it->second;
}

size_t TenantDirectory::size() const { return index_.load()->by_id.size(); }

}  // namespace pbx::store
