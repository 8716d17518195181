#include "store/sealed_columns.hpp"

#include "core/crypto.hpp"

namespace pbx::store {

namespace {

const SealedColumn kSealedColumns[] = {
    {"webhook_secrets", "id", "tenant_id", "secret", false,
     [](std::string_view tenant, std::string_view id) {
       return webhook_secret_context(tenant, id);
     }},
    {"service_keys", "name", "name", "value", true,
     [](std::string_view, std::string_view name) { return service_key_context(name); }},
};

// bytea travels as hex: a plain value from an earlier version may be any bytes.
std::string read_sql(const SealedColumn& c) {
  return c.bytea ? std::string("encode(") + c.column + ", 'hex')" : c.column;
}
std::string write_sql(const SealedColumn& c, const char* param) {
  return c.bytea ? std::string("decode(") + param + ", 'hex')" : param;
}
std::string from_sql(const SealedColumn& c, const std::string& text) {
  return c.bytea ? crypto::from_hex(text).value_or("") : text;
}
std::string to_sql(const SealedColumn& c, const std::string& value) {
  return c.bytea ? crypto::to_hex(value) : value;
}

SealReport seal_column(pqxx::connection& conn, const crypto::SecretBox& box, const SealedColumn& c,
                       bool all) {
  SealReport report;
  report.column = std::string(c.table) + "." + c.column;
  const auto select = "sealed_select_" + report.column;
  const auto update = "sealed_update_" + report.column;
  conn.prepare(select, std::string("SELECT ") + c.id_column + "::text, " + c.owner_column +
                           "::text, " + read_sql(c) + " FROM " + c.table + " WHERE " + c.column +
                           " IS NOT NULL");
  conn.prepare(update, std::string("UPDATE ") + c.table + " SET " + c.column + " = " +
                           write_sql(c, "$3") + " WHERE " + c.id_column + " = $1 AND " + c.column +
                           " = " + write_sql(c, "$2"));
  pqxx::result rows;
  {
    pqxx::read_transaction tx(conn);
    rows = tx.exec_prepared(select);
  }
  for (const auto& row : rows) {
    auto id = row[0].as<std::string>();
    auto stored = from_sql(c, row[2].as<std::string>());
    auto step = seal_step(box, stored, c.context(row[1].as<std::string>(), id), all);
    switch (step.kind) {
      case SealStep::keep:
        ++report.kept;
        continue;
      case SealStep::unreadable:
        report.unreadable.push_back(id);
        continue;
      case SealStep::seal:
      case SealStep::reseal:
        break;
    }
    pqxx::work tx(conn);
    auto changed =
        tx.exec_prepared(update, id, to_sql(c, stored), to_sql(c, step.value)).affected_rows();
    tx.commit();
    if (changed == 0) {
      ++report.kept;  // changed meanwhile, by its writer or another instance
    } else if (step.kind == SealStep::seal) {
      ++report.sealed;
    } else {
      ++report.resealed;
    }
  }
  return report;
}

}  // namespace

std::string webhook_secret_context(std::string_view tenant_id, std::string_view secret_id) {
  return "webhook_secret:" + std::string(tenant_id) + ":" + std::string(secret_id);
}

std::string service_key_context(std::string_view name) {
  return "service_key:" + std::string(name);
}

std::span<const SealedColumn> sealed_columns() { return kSealedColumns; }

SealStep seal_step(const crypto::SecretBox& box, std::string_view stored, std::string_view context,
                   bool all) {
  if (!crypto::SecretBox::is_sealed(stored)) {
    return {SealStep::seal, box.seal(stored, context)};
  }
  if (!all) return {SealStep::keep, {}};
  auto plain = box.open(stored, context);
  if (!plain) return {SealStep::unreadable, {}};
  if (box.is_current(stored)) return {SealStep::keep, {}};
  return {SealStep::reseal, box.seal(*plain, context)};
}

std::vector<SealReport> seal_columns(pqxx::connection& conn, const crypto::SecretBox& box,
                                     bool all) {
  std::vector<SealReport> reports;
  for (const auto& c : sealed_columns()) reports.push_back(seal_column(conn, box, c, all));
  return reports;
}

}  // namespace pbx::store
