#pragma once

#include "admin/auth.hpp"
#include "core/error.hpp"
#include "core/secret_box.hpp"
#include "http/router.hpp"
#include "store/pg.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pbx::admin {

using Json = nlohmann::json;
using Errors = Error::FieldErrors;

enum class Kind { text, integer, boolean, json };

// The size a value may have, declared with its field and checked before anything else reads
// the value, so that no check, parser or stored snapshot ever sees an unbounded one.
struct Limits {
  size_t max_length = 0;  // a string's characters; for any other value, its compact JSON's bytes
  size_t max_items = 0;   // a list's or an object's entries; 0: no count beyond max_length
  // A message when `v` is larger than allowed.
  std::optional<std::string> exceeded_by(const Json& v) const;
  std::string describe() const;  // "100 characters", "20 entries, 32768 bytes of JSON"
};

// One field of an admin resource. Checks see the whole merged object (defaults or the current
// row, then the request's fields), so a PATCH is validated as strictly as a POST.
struct Field {
  std::string name;
  std::string column;  // empty: same as name
  Kind kind = Kind::text;
  bool required = false;         // present and not null after merging
  Json default_value = nullptr;  // applied on create when absent
  Limits limits;                 // every writable text or JSON field has them
  // Returns a message when the (non-null) value is unacceptable.
  std::function<std::optional<std::string>(const Json&)> check = nullptr;
  bool writable = true;         // false: shown, never accepted from a client
  bool readable = true;         // false: accepted, never shown (passwords)
  bool stored = true;           // false: not a column (child rows written by a hook)
  bool keep_when_null = false;  // an update without it keeps the stored value (password hash)
};

struct WriteContext {
  pqxx::transaction_base& tx;
  const Principal& who;
  const std::string* id;  // null on create
  const Json& current;    // the stored object on update and delete, null on create
  const crypto::SecretBox* secrets = nullptr;
};

// A collection under /api/v1 stored in one table, every row owned by one tenant.
struct Resource {
  std::string path;  // "/api/v1/extensions"
  std::string name;  // "extensions": statement names and OpenAPI
  std::string table;
  std::vector<Field> fields;
  std::vector<std::string> read_roles;
  std::vector<std::string> write_roles;
  bool creatable = true;
  bool newest_first = false;  // list order; otherwise oldest first (config reads like a list)
  bool has_updated_at = true;
  bool referencable = false;  // deleting answers 409 while destinations point at it
  // Extra members of the shown object: "'members', (SELECT ...)" (the row is aliased "r").
  std::string extra_select;
  // Extra condition for callers whose role is scoped ("user" sees only its own rows); "{user}"
  // stands for the caller's user id.
  std::string user_scope;
  std::vector<std::string> scoped_roles;
  // Checks across fields, run with the field checks (they must cope with bad shapes).
  std::function<void(const Json& merged, Errors&)> object_checks = nullptr;
  // Checks that read the database, run once every field is acceptable.
  std::function<void(WriteContext&, const Json& merged, Errors&)> db_checks = nullptr;
  std::function<Json(WriteContext&, const Json& merged)> to_row = nullptr;
  std::function<void(WriteContext&, const std::string& id, const Json& merged)> after_write =
      nullptr;
  std::function<void(WriteContext&)> before_delete = nullptr;
  // Tenants may hold at most their quota of these objects (tenant_quotas, else quota_defaults,
  // under this resource's name); checked in the creating transaction.
  bool quota = true;
  // Runs in the transaction of every create, update and delete once the row is written (or
  // deleted): `merged` is the object as written, null on delete. Answers members to add to the
  // answer of a create or update (an object), or null.
  std::function<Json(WriteContext&, const std::string& id, const Json* merged)> on_change = nullptr;
  // Adds computed members to a shown object.
  std::function<void(Json&)> decorate = nullptr;

  const Field* field(const std::string& name) const;
  static const std::string& column_of(const Field& f) {
    return f.column.empty() ? f.name : f.column;
  }
};

std::vector<store::Statement> resource_statements(const std::vector<Resource>& resources);

// A request body checked against fields: its members onto `merged` (the defaults on create,
// the stored object on update), then every field of the result, limits first. A value over its
// limits is taken out of `merged`, so that no later check reads it.
void check_fields(const std::vector<Field>& fields, const Json& body, Json& merged, bool creating,
                  Errors& errors);
// check_fields, then the resource's checks across fields.
void check_body(const Resource& r, const Json& body, Json& merged, bool creating, Errors& errors);
// The object a create starts from: every field's default.
Json defaults_of(const Resource& r);

struct ResourceDeps {
  store::PgPool& pg;
  // Authenticates, applies the admin rate limits, and returns the caller.
  std::function<Principal(const http::Request&)> guard;
  // Runs a POST once per Idempotency-Key.
  std::function<http::Response(const Principal&, const http::Request&,
                               const std::function<http::Response()>&)>
      idempotent;
  // Applies a committed change to this instance's tenant directory and routing snapshot before
  // the answer goes out, so the caller's next request sees it (other instances poll).
  std::function<void()> applied;
  const crypto::SecretBox* secrets = nullptr;  // for hooks that store sealed values
};

// 409 listing the referencing objects, from rows of (type, id, name); nothing when none.
void refuse_if_referenced(const pqxx::result& rows);

void add_resource_routes(http::Router& router, const Resource& resource, ResourceDeps deps);

}  // namespace pbx::admin
