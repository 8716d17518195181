#pragma once

#include "core/secret_box.hpp"
#include "store/pg.hpp"
#include "store/tenants.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

namespace pbx::routing {
struct TenantSnapshot;
}

namespace pbx::store {

struct WebhookSecret {
  std::string secret;  // opened: the directory holds secrets in memory only
  std::optional<std::chrono::system_clock::time_point> expires_at;
};

struct WebhookToken {
  std::string hash;  // raw SHA-256 of the token
  std::optional<std::chrono::system_clock::time_point> expires_at;
};

// The requests key that the current one replaced, valid until the end of its grace period.
struct PreviousRequestsKey {
  std::string hash;  // raw SHA-256
  std::chrono::system_clock::time_point expires_at;
};

// Everything the hot paths need to know about one tenant, immutable once built.
struct TenantEntry {
  TenantRow tenant;
  std::string requests_key_hash;  // raw SHA-256; empty when no key is set
  std::optional<PreviousRequestsKey> previous_requests_key;
  std::vector<WebhookSecret> webhook_secrets;
  // text::domain_key of the domain name, the domain uuid and every alias.
  std::vector<std::string> domain_keys;
  std::vector<WebhookToken> webhook_tokens;
  std::shared_ptr<const routing::TenantSnapshot> routing;

  // Is `claimed` (a domain name, uuid or alias, in any case, with or without .cloudonix.net)
  // one of this tenant's?
  bool owns_domain(std::string_view claimed) const;

  // Secrets valid at `now`, newest first.
  std::vector<std::string> secrets_at(std::chrono::system_clock::time_point now) const;
  // Whether the token of this SHA-256 is one of the tenant's, unexpired at `now` (compared in
  // constant time).
  bool token_valid_at(std::string_view token_hash, std::chrono::system_clock::time_point now) const;
  // Whether the requests key of this SHA-256 is the tenant's current one, or its previous one
  // unexpired at `now` (compared in constant time).
  bool requests_key_valid_at(std::string_view key_hash,
                             std::chrono::system_clock::time_point now) const;
};

// All tenants in memory, so that authenticating and routing a call touch no database.
// A poller compares each tenant's config_version with Postgres (one small query) and reloads
// only the tenants that changed; readers see the old or the new index, never a mix.
// While Postgres is unreachable the last index keeps serving.
class TenantDirectory {
 public:
  using SnapshotLoader = std::function<std::shared_ptr<const routing::TenantSnapshot>(
      pqxx::transaction_base&, const TenantRow&)>;

  // `box` opens the sealed webhook secrets; a secret it cannot open is left out (and logged).
  TenantDirectory(PgPool& pg, const crypto::SecretBox& box, SnapshotLoader loader);
  ~TenantDirectory();
  TenantDirectory(const TenantDirectory&) = delete;
  TenantDirectory& operator=(const TenantDirectory&) = delete;

  // One round: reload what changed. Returns false when Postgres could not be read.
  bool refresh();
  void start_polling(std::chrono::milliseconds interval);
  bool loaded() const { return loaded_.load(); }

  // Finds the tenant of a requests API key valid at `now`: its current one, or its previous one
  // within the grace period (hashed, then compared in constant time).
  std::shared_ptr<const TenantEntry> by_requests_key(
      std::string_view key, std::chrono::system_clock::time_point now) const;
  // By domain name, uuid or alias, as TenantEntry::owns_domain matches them.
  std::shared_ptr<const TenantEntry> by_domain(std::string_view claimed) const;
  // Finds the tenant of a webhook token valid at `now` (hashed, then compared in constant time).
  std::shared_ptr<const TenantEntry> by_webhook_token(
      std::string_view token, std::chrono::system_clock::time_point now) const;
  std::shared_ptr<const TenantEntry> by_id(const std::string& id) const;
  size_t size() const;

  static std::vector<Statement> statements();

 private:
  struct Index {
    std::unordered_map<std::string, std::shared_ptr<const TenantEntry>> by_id;
    std::unordered_map<std::string, std::shared_ptr<const TenantEntry>> by_key_hash;
    std::unordered_map<std::string, std::shared_ptr<const TenantEntry>> by_token_hash;
    std::unordered_map<std::string, std::shared_ptr<const TenantEntry>> by_domain;
  };

  std::shared_ptr<const TenantEntry> load_entry(pqxx::transaction_base& tx, const std::string& id);

  PgPool& pg_;
  const crypto::SecretBox& box_;
  SnapshotLoader loader_;
  std::atomic<std::shared_ptr<const Index>> index_;
  std::atomic<bool> loaded_{false};
  std::mutex refresh_mutex_;  // one refresh at a time

  std::thread poller_;
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
};

}  // namespace pbx::store
