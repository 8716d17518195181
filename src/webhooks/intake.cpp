#include "webhooks/intake.hpp"

#include "cloudonix/body.hpp"
#include "cloudonix/fields.hpp"
#include "cloudonix/signature.hpp"
#include "core/error.hpp"
#include "core/uuid_v7.hpp"
#include "http/auth.hpp"

#include <algorithm>
#include <array>

namespace pbx::webhooks {

namespace {

using cloudonix::fields::member;
using cloudonix::fields::text;

std::string domain_of(const nlohmann::json& obj) {
  const auto* d = member(obj, "domain");
  if (d != nullptr && d->is_string()) return d->get<std::string>();
  if (d != nullptr && d->is_object()) {
    for (const char* key : {"name", "domain", "uuid"}) {
      if (auto v = text(*d, key)) return *v;
    }
  }
  if (const auto* owner = member(obj, "owner")) {
    if (const auto* od = member(*owner, "domain")) {
      if (auto uuid = text(*od, "uuid")) return *uuid;
    }
  }
  // OPBX-style payloads name their domain only by this.
  if (auto uuid = text(obj, "domain_uuid")) return *uuid;
  return {};
}

}  // namespace

std::string claimed_domain(const nlohmann::json& body) {
  if (body.is_array()) return body.empty() ? std::string{} : domain_of(body.front());
  return domain_of(body);
}

std::string_view to_string(Rejection r) {
  switch (r) {
    case Rejection::no_credentials:
      return "no_credentials";
    case Rejection::bad_signature:
      return "bad_signature";
    case Rejection::stale_timestamp:
      return "stale_timestamp";
    case Rejection::unknown_key:
      return "unknown_key";
    case Rejection::wrong_domain:
      break;
  }
  return "wrong_domain";
}

AcceptedCredentials accepted_by(std::string_view webhook_auth) {
  if (webhook_auth == "any") return {true, true, true};
  if (webhook_auth == "hmac") return {true, false, false};
  if (webhook_auth == "bearer") return {false, true, false};
  if (webhook_auth == "url_token") return {false, false, true};
  if (webhook_auth == "hmac_or_bearer") return {true, true, false};
  return {};
}

Credentials credentials_of(const http::Request& req, const std::optional<nlohmann::json>& body) {
  Credentials c;
  c.key = http::requests_api_key(req);
  if (const auto* token = req.query_param("token")) c.token = *token;
  // A blank signature header is no credential, as cloudonix::verify_signature treats it.
  auto signature = req.header("x-cloudonix-signature");
  if (signature && signature->find_first_not_of(" \t") != std::string_view::npos) {
    c.signature = signature;
  }
  c.timestamp = req.header("x-cloudonix-timestamp");
  c.domain_header = req.header("x-cx-domain").value_or("");
  if (body) c.payload_domain = claimed_domain(*body);
  return c;
}

Error AuthResult::error() const {
  if (reason == Rejection::stale_timestamp) return Error::bad_request("stale_timestamp", message);
  return Error::unauthorized(message);
}

AuthResult authenticate(const Credentials& credentials, std::string_view raw_body,
                        const TenantLookup& lookup, std::chrono::system_clock::time_point now) {
  std::vector<std::shared_ptr<const store::TenantEntry>> verified;
  std::vector<AuthResult> failures;
  auto fail = [&](Rejection reason, std::string message) {
    failures.push_back({nullptr, reason, std::move(message)});
  };
  // A credential that its tenant does not take counts as none.
  auto admit = [&](const std::shared_ptr<const store::TenantEntry>& tenant, bool accepted,
                   std::string_view what) {
    if (accepted) {
      verified.push_back(tenant);
    } else {
      fail(Rejection::no_credentials,
           "this tenant does not accept " + std::string(what) + " on webhooks");
    }
  };

  if (!credentials.key.empty()) {
    if (auto tenant = lookup.by_key(credentials.key)) {
      admit(tenant, accepted_by(tenant->tenant.webhook_auth).key, "the requests API key");
    } else {
      fail(Rejection::unknown_key, "unknown requests API key");
    }
  }
  if (!credentials.token.empty()) {
    if (auto tenant = lookup.by_token(credentials.token)) {
      admit(tenant, accepted_by(tenant->tenant.webhook_auth).token, "the webhook token");
    } else {
      fail(Rejection::unknown_key, "unknown or expired webhook token");
    }
  }
  if (credentials.signature) {
    const auto& domain =
        credentials.domain_header.empty() ? credentials.payload_domain : credentials.domain_header;
    auto tenant = domain.empty() ? nullptr : lookup.by_domain(domain);
    if (!tenant) {
      fail(Rejection::wrong_domain, "the signed delivery names no known domain");
    } else if (!accepted_by(tenant->tenant.webhook_auth).signature) {
      admit(tenant, false, "signatures");
    } else {
      auto unix_now =
          std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
      auto result = cloudonix::verify_signature(
          credentials.signature, credentials.timestamp, raw_body, tenant->secrets_at(now), unix_now,
          cloudonix::SignaturePolicy{tenant->tenant.allow_untimestamped, 300});
      if (result == cloudonix::SignatureResult::ok) {
        verified.push_back(tenant);
      } else if (result == cloudonix::SignatureResult::stale_timestamp) {
        fail(Rejection::stale_timestamp, "the signature timestamp is more than 300 s away");
      } else {
        fail(Rejection::bad_signature, "missing or invalid signature");
      }
    }
  }

  if (!verified.empty()) {
    const auto& tenant = verified.front();
    bool same =
        std::all_of(verified.begin(), verified.end(), [&](const auto& t) { return t == tenant; });
    // A domain that names no tenant (yet) stands in nobody's way.
    if (!credentials.domain_header.empty()) {
      auto claimed = lookup.by_domain(credentials.domain_header);
      same = same && (!claimed || claimed == tenant);
    }
    if (same) return {tenant, {}, {}};
    return {nullptr, Rejection::wrong_domain, "the credentials belong to another domain"};
  }
  if (failures.empty()) {
    return {nullptr, Rejection::no_credentials,
            "no credentials: send the requests API key, the webhook token (?token=) or a "
            "signature"};
  }
  // The most telling failure: an authentic but stale signature first, a missing credential last.
  constexpr std::array kOrder = {Rejection::stale_timestamp, Rejection::wrong_domain,
                                 Rejection::bad_signature, Rejection::unknown_key,
                                 Rejection::no_credentials};
  auto rank = [&](const AuthResult& r) {
    return std::find(kOrder.begin(), kOrder.end(), r.reason) - kOrder.begin();
  };
  return std::move(*std::min_element(
      failures.begin(), failures.end(),
      [&](const AuthResult& a, const AuthResult& b) { return rank(a) < rank(b); }));
}

AuthResult authenticate(const http::Request& req, const std::optional<nlohmann::json>& body,
                        const store::TenantDirectory& directory,
                        std::chrono::system_clock::time_point now) {
  TenantLookup lookup{
      [&](std::string_view key) { return directory.by_requests_key(key, now); },
      [&](std::string_view token) { return directory.by_webhook_token(token, now); },
      [&](std::string_view domain) { return directory.by_domain(domain); },
  };
  return authenticate(credentials_of(req, body), req.body, lookup, now);
}

void fill_job(Job& job, std::string_view raw_body, const std::optional<nlohmann::json>& body) {
  if (!body) {
    job.dead_letters.push_back(
        {uuid::v7(), cloudonix::storable_text(raw_body), "the body is not valid JSON"});
    return;
  }
  if (job.kind == Kind::session_update) {
    auto items = cloudonix::parse_session_updates(*body);
    // A body that is not an array is its one item, already dumped for storage.
    job.stored_body = body->is_array() ? cloudonix::dump_for_storage(*body) : items.front().raw;
    if (items.empty()) {
      job.dead_letters.push_back({uuid::v7(), job.stored_body, "an empty array holds no session"});
    }
    for (auto& item : items) {
      if (item.ok()) {
        job.updates.push_back(std::move(*item.update));
      } else {
        job.dead_letters.push_back({uuid::v7(), item.raw, item.error});
      }
    }
    return;
  }
  try {
    job.cdr = cloudonix::parse_cdr(*body);
    job.stored_body = job.cdr->raw;  // the same dump of the whole body
  } catch (const cloudonix::CdrError& e) {
    job.stored_body = cloudonix::dump_for_storage(*body);
    job.dead_letters.push_back({uuid::v7(), job.stored_body, e.what()});
  }
}

}  // namespace pbx::webhooks
