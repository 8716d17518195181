#pragma once

#include "admin/resource.hpp"

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace pbx::admin::checks {

using Check = std::function<std::optional<std::string>(const Json&)>;

Check text(size_t max_length, bool allow_empty = true);
Check extension_number();  // 2-8 digits
Check e164();
Check forward_target();  // E.164 or a SIP URI
Check integer(long long min, long long max);
Check one_of(std::initializer_list<const char*> values);
Check url();
Check email();
Check password();  // a new password: kMinPassword to kMaxPassword characters
Check timezone();
Check conference_name();  // a room name: letters, digits, _ . - (1-64)
Check destination();      // shape only; existence is a database check
Check prompt();
Check domain_aliases();  // a list of Cloudonix domain names

// Lengths beyond which a value is refused before anything else looks at it.
constexpr size_t kMaxSipUri = 256;
constexpr size_t kMaxUrl = 2048;
constexpr size_t kMaxEmail = 254;
constexpr size_t kMinPassword = 10;
constexpr size_t kMaxPassword = 256;
constexpr size_t kMaxDomainAliases = 10;

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
