#pragma once

#include "admin/resource.hpp"

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace pbx::admin::checks {

using Check = std::function<std::optional<std::string>(const Json&)>;

// What a field accepts: its limits, then its form. A field declared with a rule takes both, so
// its size limit is written once, where the field is.
struct Rule {
  Limits limits;
  Check check;

  Rule(std::nullptr_t) {}  // NOLINT(google-explicit-constructor): a field with neither
  Rule(Limits l, Check c) : limits(l), check(std::move(c)) {}
  // The limits' message, else the check's.
  std::optional<std::string> operator()(const Json& v) const;
};

Rule text(size_t max_length, bool allow_empty = true);
Rule extension_number();  // 2-8 digits
Rule e164();
Rule forward_target();  // E.164 or a SIP URI
Rule integer(long long min, long long max);
Rule one_of(std::initializer_list<const char*> values);
Rule url();
Rule email();
Rule password();  // a new password: kMinPassword to kMaxPassword characters
Rule timezone();
Rule conference_name();  // a room name: letters, digits, _ . - (1-64)
Rule destination();      // shape only; existence is a database check
Rule prompt();
Rule domain_aliases();      // a list of Cloudonix domain names
Rule ring_group_members();  // [{extension_id, priority}]
Rule ivr_options();         // [{digits, destination}]
// Business hours: limits only; the schedule is checked as a whole (routing::parse_schedule).
Rule weekly_ranges();
Rule schedule_exceptions();

// Fields declared with their rule (and so with their limits).
Field text_field(std::string name, Rule rule, bool required = false, Json def = nullptr);
Field int_field(std::string name, long long min, long long max, Json def);
Field bool_field(std::string name, bool def);
Field json_field(std::string name, Rule rule, bool required = false, Json def = nullptr);

// Lengths beyond which a value is refused before anything else looks at it.
constexpr size_t kMaxSipUri = 256;
constexpr size_t kMaxUrl = 2048;
constexpr size_t kMaxEmail = 254;
constexpr size_t kMinPassword = 10;
constexpr size_t kMaxPassword = 256;
constexpr size_t kMaxDomainAliases = 10;
constexpr size_t kMaxRingGroupMembers = 100;
constexpr size_t kMaxIvrOptions = 20;
constexpr size_t kMaxScheduleExceptions = 400;

bool is_e164(std::string_view s);
bool is_sip_uri(std::string_view s);
bool is_http_url(std::string_view s);
bool is_email(std::string_view s);

// Database checks shared by resources.
// Does the destination point at an object of the caller's tenant?
void destination_exists(WriteContext& ctx, const Json& destination, const std::string& field,
                        Errors& errors);
// Internal numbers (extensions, ring groups, menus, rooms) are one namespace per tenant.
void number_free(WriteContext& ctx, const Json& number, const std::string& field, Errors& errors);
std::vector<store::Statement> check_statements();

}  // namespace pbx::admin::checks
