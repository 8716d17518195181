#pragma once

// Pure comparison of a tenant's extensions with its domain's Cloudonix subscribers.

#include "provisioning/rest_client.hpp"

#include <optional>
#include <string>
#include <vector>

namespace pbx::provisioning {

struct LocalExtension {
  std::string id;
  std::string number;  // the subscriber's MSISDN
  bool active = true;
  std::optional<std::string> sip_password;  // none: not known (not compared)
};

// What of the subscriber differs from the extension: "active", "sip_password" (compared only
// when both sides show one). Empty when they agree.
std::vector<std::string> subscriber_drift(const LocalExtension& ext, const Subscriber& sub);

struct Drifted {
  const LocalExtension* extension;
  const Subscriber* subscriber;
  std::vector<std::string> fields;
};

struct SubscriberDiff {
  std::vector<const LocalExtension*> missing;  // no subscriber has the number
  std::vector<Drifted> drifted;
  std::vector<const Subscriber*> extra;  // no extension has the MSISDN (or a second one has)
};

// Matches by number = MSISDN; the inputs must outlive the answer.
SubscriberDiff compare(const std::vector<LocalExtension>& extensions,
                       const std::vector<Subscriber>& subscribers);

// The diff as the admin API shows it: {missing, drifted, extra}, never a password.
Json to_json(const SubscriberDiff& diff);

// A generated SIP password: 24 characters of base64url (144 random bits).
std::string generate_sip_password();

// The SecretBox context of an extension's SIP password.
std::string sip_password_context(const std::string& extension_id);

}  // namespace pbx::provisioning
