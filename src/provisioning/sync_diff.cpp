#include "provisioning/sync_diff.hpp"

#include "core/crypto.hpp"

#include <map>

namespace pbx::provisioning {

std::vector<std::string> subscriber_drift(const LocalExtension& ext, const Subscriber& sub) {
  std::vector<std::string> fields;
  if (sub.active != ext.active) fields.emplace_back("active");
  if (ext.sip_password && sub.sip_password &&
      !crypto::constant_time_equal(*ext.sip_password, *sub.sip_password)) {
    fields.emplace_back("sip_password");
  }
  return fields;
}

SubscriberDiff compare(const std::vector<LocalExtension>& extensions,
                       const std::vector<Subscriber>& subscribers) {
  SubscriberDiff diff;
  std::map<std::string, const Subscriber*> by_msisdn;
  for (const auto& s : subscribers) {
    if (!by_msisdn.emplace(s.msisdn, &s).second) diff.extra.push_back(&s);
  }
  std::map<std::string, const LocalExtension*> by_number;
  for (const auto& e : extensions) {
    by_number.emplace(e.number, &e);
    auto it = by_msisdn.find(e.number);
    if (it == by_msisdn.end()) {
      diff.missing.push_back(&e);
    } else if (auto fields = subscriber_drift(e, *it->second); !fields.empty()) {
      diff.drifted.push_back({&e, it->second, std::move(fields)});
    }
  }
  for (const auto& [msisdn, s] : by_msisdn) {
    if (!by_number.count(msisdn)) diff.extra.push_back(s);
  }
  return diff;
}

Json to_json(const SubscriberDiff& diff) {
  Json out = {{"missing", Json::array()}, {"drifted", Json::array()}, {"extra", Json::array()}};
  for (const auto* e : diff.missing) {
    out["missing"].push_back({{"extension_id", e->id}, {"number", e->number}});
  }
  for (const auto& d : diff.drifted) {
    out["drifted"].push_back({{"extension_id", d.extension->id},
                              {"number", d.extension->number},
                              {"subscriber_id", d.subscriber->id},
                              {"fields", d.fields}});
  }
  for (const auto* s : diff.extra) {
    out["extra"].push_back(
        {{"subscriber_id", s->id}, {"msisdn", s->msisdn}, {"active", s->active}});
  }
  return out;
}

std::string generate_sip_password() { return crypto::base64url(crypto::random_bytes(18)); }

std::string sip_password_context(const std::string& extension_id) {
  return "sip_password:" + extension_id;
}

}  // namespace pbx::provisioning
