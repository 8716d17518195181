#include "admin/resource.hpp"

#include "admin/openapi.hpp"
#include "core/text.hpp"
#include "http/json_body.hpp"
#include "http/listing.hpp"

#include <algorithm>
#include <deque>
#include <mutex>

namespace pbx::admin {

namespace {

// Statement texts built from the resource definitions at start-up; Statement holds pointers,
// so the strings live here for the life of the process.
const char* keep(std::string text) {
  static std::mutex mutex;
  static std::deque<std::string> texts;
  std::lock_guard lock(mutex);
  return texts.emplace_back(std::move(text)).c_str();
}

// Characters (code points) of valid UTF-8: every byte but continuation bytes starts one.
size_t utf8_length(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string stmt(const Resource& r, const char* what) { return "res_" + r.name + "_" + what; }

// The cursor namespace of a resource's list, in its one order.
std::string list_name(const Resource& r) {
  return r.name + (r.newest_first ? ":-created_at" : ":created_at");
}

const char* kIsoUtc = "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'";

std::string object_sql(const Resource& r) {
  std::string sql = "jsonb_build_object('id', r.id";
  for (const auto& f : r.fields) {
    if (!f.readable || !f.stored) continue;
    sql += ", '" + f.name + "', r." + Resource::column_of(f);
  }
  sql += std::string(", 'created_at', to_char(r.created_at AT TIME ZONE 'UTC', ") + kIsoUtc + ")";
  if (r.has_updated_at) {
    sql += std::string(", 'updated_at', to_char(r.updated_at AT TIME ZONE 'UTC', ") + kIsoUtc + ")";
  }
  sql += ")";
  if (!r.extra_select.empty()) sql += " || jsonb_build_object(" + r.extra_select + ")";
  return sql;
}

// Every statement takes the scope parameter, so that callers bind the same parameters whatever
// the resource.
std::string scope_sql(const Resource& r, int param) {
  // Built by appending: GCC 12 at -O3 misreports `"$" + std::to_string(...)` (-Wrestrict).
  std::string user = "$";
  user += std::to_string(param) + "::uuid";
  auto scope = r.user_scope.empty() ? std::string("true") : r.user_scope;
  if (auto at = scope.find("{user}"); at != std::string::npos) scope.replace(at, 6, user);
  return " AND (" + user + " IS NULL OR " + scope + ")";
}

bool has_role(const Principal& p, const std::vector<std::string>& roles) {
  return std::find(roles.begin(), roles.end(), p.role) != roles.end();
}

std::optional<std::string> scope_user(const Resource& r, const Principal& p) {
  if (has_role(p, r.scoped_roles)) return p.user_id;
  return std::nullopt;
}

bool kind_matches(Kind kind, const Json& v) {
  switch (kind) {
    case Kind::text:
      return v.is_string();
    case Kind::integer:
      return v.is_number_integer();
    case Kind::boolean:
      return v.is_boolean();
    case Kind::json:
      return true;
  }
  return false;
}

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::text:
      return "must be a string";
    case Kind::integer:
      return "must be an integer";
    case Kind::boolean:
      return "must be true or false";
    case Kind::json:
      break;
  }
  return "invalid";
}

Json row_of(const Resource& r, const Json& merged) {
  Json row = Json::object();
  for (const auto& f : r.fields) {
    if (!f.writable || !f.stored) continue;
    auto it = merged.find(f.name);
    row[Resource::column_of(f)] = it == merged.end() ? Json(nullptr) : *it;
  }
  return row;
}

// The field a unique constraint protects, from its name ("extensions_tenant_id_number_key").
std::string unique_field(const Resource& r, const std::string& constraint) {
  for (const auto& f : r.fields) {
    if (constraint.find(Resource::column_of(f)) != std::string::npos) return f.name;
  }
  return "body";
}

std::optional<Json> fetch(pqxx::transaction_base& tx, const Resource& r, const std::string& tenant,
                          const std::string& id, const std::optional<std::string>& scope) {
  auto rows = tx.exec_prepared(stmt(r, "get"), tenant, id, scope);
  if (rows.empty()) return std::nullopt;
  auto obj = Json::parse(rows[0][0].c_str());
  if (r.decorate) r.decorate(obj);
  return obj;
}

// Creates of one kind in one tenant take turns (a transaction-scoped advisory lock) from the
// count to the commit, so concurrent creates cannot each see room for one more. The count is a
// statement of its own: it must read a snapshot taken after the lock was granted.
void enforce_quota(pqxx::transaction_base& tx, const Resource& r, const std::string& tenant) {
  tx.exec_prepared("res_quota_lock", tenant, r.name);
  auto row = tx.exec_prepared1(stmt(r, "quota"), tenant);
  auto limit = row[0].as<long long>();
  if (row[1].as<long long>() >= limit) throw Error::quota_exceeded(r.name, limit);
}

[[noreturn]] void write_conflict(const pqxx::unique_violation& e, const Resource& r) {
  throw Error::validation({{unique_field(r, e.what()), "already exists"}});
}

}  // namespace

const Field* Resource::field(const std::string& n) const {
  for (const auto& f : fields) {
    if (f.name == n) return &f;
  }
  return nullptr;
}

std::optional<std::string> Limits::exceeded_by(const Json& v) const {
  if (max_items > 0 && (v.is_array() || v.is_object()) && v.size() > max_items) {
    return "at most " + std::to_string(max_items) + " entries";
  }
  if (max_length == 0) return std::nullopt;
  if (v.is_string()) {
    if (utf8_length(v.get_ref<const std::string&>()) > max_length) {
      return "at most " + std::to_string(max_length) + " characters";
    }
  } else if (v.dump(-1, ' ', false, Json::error_handler_t::replace).size() > max_length) {
    return "at most " + std::to_string(max_length) + " bytes of JSON";
  }
  return std::nullopt;
}

std::string Limits::describe() const {
  std::string out;
  if (max_items > 0) out = std::to_string(max_items) + " entries";
  if (max_length > 0) {
    if (!out.empty()) out += ", ";
    out += std::to_string(max_length) + (max_items > 0 ? " bytes of JSON" : " characters");
  }
  return out;
}

void check_fields(const std::vector<Field>& fields, const Json& body, Json& merged, bool creating,
                  Errors& errors) {
  if (!body.is_object()) {
    errors.emplace_back("body", "must be a JSON object");
    return;
  }
  auto field = [&](const std::string& name) -> const Field* {
    for (const auto& f : fields) {
      if (f.name == name) return &f;
    }
    return nullptr;
  };
  for (const auto& [key, value] : body.items()) {
    const auto* f = field(key);
    if (!f) {
      errors.emplace_back(key, "unknown field");
    } else if (!f->writable) {
      errors.emplace_back(key, "read only");
    } else if (!value.is_null() && !kind_matches(f->kind, value)) {
      errors.emplace_back(key, kind_name(f->kind));
    } else {
      merged[key] = value;
    }
  }
  for (const auto& f : fields) {
    if (!f.writable) continue;
    auto it = merged.find(f.name);
    bool missing = it == merged.end() || it->is_null();
    if (missing) {
      if (f.required && (creating || it != merged.end())) errors.emplace_back(f.name, "required");
      continue;
    }
    if (!kind_matches(f.kind, *it)) continue;  // reported above
    if (auto message = f.limits.exceeded_by(*it)) {
      errors.emplace_back(f.name, *message);
      merged.erase(it);
    } else if (f.check) {
      if (auto bad = f.check(*it)) errors.emplace_back(f.name, *bad);
    }
  }
}

void check_body(const Resource& r, const Json& body, Json& merged, bool creating, Errors& errors) {
  check_fields(r.fields, body, merged, creating, errors);
  if (body.is_object() && r.object_checks) r.object_checks(merged, errors);
}

Json defaults_of(const Resource& r) {
  Json merged = Json::object();
  for (const auto& f : r.fields) {
    if (!f.default_value.is_null()) merged[f.name] = f.default_value;
  }
  return merged;
}

std::vector<store::Statement> resource_statements(const std::vector<Resource>& resources) {
  std::vector<store::Statement> out;
  for (const auto& r : resources) {
    auto obj = object_sql(r);
    std::string cmp = r.newest_first ? "<" : ">";
    std::string dir = r.newest_first ? " DESC" : "";
    out.push_back(
        {keep(stmt(r, "list")),
         keep("SELECT " + obj +
              ", (extract(epoch FROM r.created_at) * 1000000)::bigint, r.id::text"
              " FROM " +
              r.table +
              " r WHERE r.tenant_id = $1 AND ($2::bigint IS NULL OR"
              " (r.created_at, r.id) " +
              cmp +
              " ('epoch'::timestamptz + $2::bigint *"
              " interval '1 microsecond', $3::uuid))" +
              scope_sql(r, 5) + " ORDER BY r.created_at" + dir + ", r.id" + dir + " LIMIT $4")});
    out.push_back({keep(stmt(r, "get")),
                   keep("SELECT " + obj + " FROM " + r.table +
                        " r WHERE r.tenant_id = $1 AND r.id = $2::uuid" + scope_sql(r, 3))});
    std::string cols, values, sets;
    for (const auto& f : r.fields) {
      if (!f.writable || !f.stored) continue;
      const auto& c = Resource::column_of(f);
      cols += ", " + c;
      values += ", p." + c;
      sets +=
          c + (f.keep_when_null ? " = coalesce(p." + c + ", r." + c + "), " : " = p." + c + ", ");
    }
    if (r.creatable) {
      out.push_back({keep(stmt(r, "insert")),
                     keep("INSERT INTO " + r.table + " (tenant_id" + cols + ") SELECT $1" + values +
                          " FROM jsonb_populate_record(NULL::" + r.table +
                          ", $2::jsonb) p RETURNING id::text")});
    }
    std::string touch = r.has_updated_at ? "updated_at = now()" : "";
    if (!r.has_updated_at && sets.size() >= 2) sets.resize(sets.size() - 2);
    out.push_back(
        {keep(stmt(r, "update")), keep("UPDATE " + r.table + " r SET " + sets + touch +
                                       " FROM jsonb_populate_record(NULL::" + r.table +
                                       ", $3::jsonb) p WHERE r.tenant_id = $1 AND r.id = $2::uuid" +
                                       scope_sql(r, 4) + " RETURNING r.id::text")});
    if (r.creatable && r.quota) {
      out.push_back(
          {keep(stmt(r, "quota")),
           keep("SELECT coalesce((SELECT max_count FROM tenant_quotas WHERE tenant_id = $1"
                " AND resource = '" +
                r.name + "'), (SELECT max_count FROM quota_defaults WHERE resource = '" + r.name +
                "'), 0), (SELECT count(*) FROM " + r.table + " WHERE tenant_id = $1)")});
    }
    out.push_back({keep(stmt(r, "delete")),
                   keep("DELETE FROM " + r.table + " r WHERE r.tenant_id = $1 AND r.id = $2::uuid" +
                        scope_sql(r, 3))});
  }
  out.push_back({"res_quota_lock",
                 "SELECT pg_advisory_xact_lock(hashtext('pbx_quota'), hashtext($1 || ':' || $2))"});
  // Everything a destination (or a ring-group membership) can point at an object from.
  out.push_back(
      {"res_references",
       "SELECT 'phone_number', id::text, number FROM phone_numbers"
       "  WHERE tenant_id = $1 AND destination->>'id' = $2"
       " UNION ALL SELECT 'ring_group', id::text, name FROM ring_groups"
       "  WHERE tenant_id = $1 AND id::text <> $2 AND (fallback->>'id' = $2 OR id IN"
       "   (SELECT ring_group_id FROM ring_group_members WHERE extension_id::text = $2))"
       " UNION ALL SELECT 'ivr_menu', id::text, name FROM ivr_menus"
       "  WHERE tenant_id = $1 AND id::text <> $2 AND (timeout_destination->>'id' = $2"
       "   OR failover->>'id' = $2 OR EXISTS (SELECT 1 FROM jsonb_array_elements(options) o"
       "   WHERE o->'destination'->>'id' = $2))"
       " UNION ALL SELECT 'business_hours', id::text, name FROM business_hours"
       "  WHERE tenant_id = $1 AND id::text <> $2"
       "   AND (open_destination->>'id' = $2 OR closed_destination->>'id' = $2)"
       " ORDER BY 1, 3"});
  return out;
}

void refuse_if_referenced(const pqxx::result& rows) {
  if (rows.empty()) return;
  Json refs = Json::array();
  for (const auto& row : rows) {
    refs.push_back({{"type", row[0].as<std::string>()},
                    {"id", row[1].as<std::string>()},
                    {"name", row[2].as<std::string>()}});
  }
  throw Error::conflict("still in use by other objects", {{"referenced_by", refs}});
}

void add_resource_routes(http::Router& router, const Resource& resource, ResourceDeps deps) {
  auto r = std::make_shared<const Resource>(resource);
  auto item = r->path + "/{id}";

  router.add("GET", r->path, resource_doc(*r, "GET", false), [r, deps](http::Request& req) {
    auto p = deps.guard(req);
    require_role(p, r->read_roles);
    auto list = list_name(*r);
    auto page = http::parse_list_query(req.query, list);
    auto scope = scope_user(*r, p);
    return deps.pg.with([&](pqxx::connection& conn) {
      pqxx::read_transaction tx(conn);
      auto after = page.after;
      auto rows = tx.exec_prepared(
          stmt(*r, "list"), p.tenant_id, after ? std::optional(after->at) : std::nullopt,
          after ? std::optional(after->id) : std::nullopt, page.limit + 1, scope);
      return http::Response::json(
          200, http::page_json(
                   rows.size(), page, list,
                   [&](size_t i) {
                     auto shown = Json::parse(rows[static_cast<int>(i)][0].c_str());
                     if (r->decorate) r->decorate(shown);
                     return shown;
                   },
                   [&](size_t i) {
                     const auto& row = rows[static_cast<int>(i)];
                     return std::pair{row[1].as<Micros>(), row[2].as<std::string>()};
                   }));
    });
  });

  router.add("GET", item, resource_doc(*r, "GET", true), [r, deps](http::Request& req) {
    auto p = deps.guard(req);
    require_role(p, r->read_roles);
    const auto& id = req.path_param("id");
    if (!text::is_uuid(id)) throw Error::not_found();
    auto obj = deps.pg.with([&](pqxx::connection& conn) {
      pqxx::read_transaction tx(conn);
      return fetch(tx, *r, p.tenant_id, id, scope_user(*r, p));
    });
    if (!obj) throw Error::not_found();
    return http::Response::json(200, *obj);
  });

  if (r->creatable) {
    router.add("POST", r->path, resource_doc(*r, "POST", false), [r, deps](http::Request& req) {
      auto p = deps.guard(req);
      require_role(p, r->write_roles);
      return deps.idempotent(p, req, [&] {
        auto body = http::json_body(req);
        Json merged = defaults_of(*r);
        Errors errors;
        check_body(*r, body, merged, true, errors);
        auto created = deps.pg.with([&](pqxx::connection& conn) {
          pqxx::work tx(conn);
          Json none;
          WriteContext ctx{tx, p, nullptr, none, deps.secrets};
          if (errors.empty() && r->db_checks) r->db_checks(ctx, merged, errors);
          if (!errors.empty()) throw Error::validation(errors);
          if (r->quota) enforce_quota(tx, *r, p.tenant_id);
          try {
            auto row = r->to_row ? r->to_row(ctx, merged) : row_of(*r, merged);
            auto id =
                tx.exec_prepared1(stmt(*r, "insert"), p.tenant_id, row.dump())[0].as<std::string>();
            if (r->after_write) r->after_write(ctx, id, merged);
            auto added = r->on_change ? r->on_change(ctx, id, &merged) : Json();
            auto obj = fetch(tx, *r, p.tenant_id, id, std::nullopt);
            if (added.is_object()) obj->update(added);
            tx.commit();
            return http::Response::json(201, *obj);
          } catch (const pqxx::unique_violation& e) {
            write_conflict(e, *r);
          }
        });
        deps.applied();
        return created;
      });
    });
  }

  router.add("PATCH", item, resource_doc(*r, "PATCH", true), [r, deps](http::Request& req) {
    auto p = deps.guard(req);
    require_role(p, r->write_roles.empty() ? r->read_roles : r->write_roles);
    const auto& id = req.path_param("id");
    if (!text::is_uuid(id)) throw Error::not_found();
    auto body = http::json_body(req);
    auto updated = deps.pg.with([&](pqxx::connection& conn) {
      pqxx::work tx(conn);
      auto scope = scope_user(*r, p);
      auto current = fetch(tx, *r, p.tenant_id, id, scope);
      if (!current) throw Error::not_found();
      Json merged = *current;
      Errors errors;
      check_body(*r, body, merged, false, errors);
      WriteContext ctx{tx, p, &id, *current, deps.secrets};
      if (errors.empty() && r->db_checks) r->db_checks(ctx, merged, errors);
      if (!errors.empty()) throw Error::validation(errors);
      try {
        auto row = r->to_row ? r->to_row(ctx, merged) : row_of(*r, merged);
        tx.exec_prepared(stmt(*r, "update"), p.tenant_id, id, row.dump(), scope);
        if (r->after_write) r->after_write(ctx, id, merged);
        auto added = r->on_change ? r->on_change(ctx, id, &merged) : Json();
        auto obj = fetch(tx, *r, p.tenant_id, id, scope);
        if (added.is_object()) obj->update(added);
        tx.commit();
        return http::Response::json(200, *obj);
      } catch (const pqxx::unique_violation& e) {
        write_conflict(e, *r);
      }
    });
    deps.applied();
    return updated;
  });

  router.add("DELETE", item, resource_doc(*r, "DELETE", true), [r, deps](http::Request& req) {
    auto p = deps.guard(req);
    require_role(p, r->write_roles.empty() ? r->read_roles : r->write_roles);
    const auto& id = req.path_param("id");
    if (!text::is_uuid(id)) throw Error::not_found();
    deps.pg.with([&](pqxx::connection& conn) {
      pqxx::work tx(conn);
      auto scope = scope_user(*r, p);
      auto current = fetch(tx, *r, p.tenant_id, id, scope);
      if (!current) throw Error::not_found();
      WriteContext ctx{tx, p, &id, *current, deps.secrets};
      if (r->before_delete) r->before_delete(ctx);
      if (r->referencable) {
        refuse_if_referenced(tx.exec_prepared("res_references", p.tenant_id, id));
      }
      tx.exec_prepared(stmt(*r, "delete"), p.tenant_id, id, scope);
      if (r->on_change) r->on_change(ctx, id, nullptr);
      tx.commit();
      return 0;
    });
    deps.applied();
    return http::Response::text(204, "");
  });
}

}  // namespace pbx::admin
