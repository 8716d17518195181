#pragma once

// Every column whose values pbxd keeps sealed (crypto::SecretBox), in one list: the start-up pass
// that seals values an earlier version stored in plain text, and `pbxd secrets reseal`, which
// seals every value again under the current PBX_SECRET_KEY, both walk it. A new sealed column is
// one more line in kSealedColumns (sealed_columns.cpp), with its context function here for the
// code that writes and reads it.

#include "core/secret_box.hpp"

#include <pqxx/pqxx>

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pbx::store {

// The context a value is sealed under names its owner and its row, so a value copied into
// another row (or to another tenant) does not open there.
std::string webhook_secret_context(std::string_view tenant_id, std::string_view secret_id);
std::string service_key_context(std::string_view name);

struct SealedColumn {
  const char* table;
  const char* id_column;     // the row's key
  const char* owner_column;  // the owning tenant, or the id column again when nothing owns it
  const char* column;        // the sealed value: text, or bytea holding the sealed text's bytes
  bool bytea;
  std::string (*context)(std::string_view owner, std::string_view id);
};

std::span<const SealedColumn> sealed_columns();

// What sealing does to one stored value.
struct SealStep {
  enum Kind {
    keep,        // sealed under the current key (or, when only sealing plain values, any key)
    seal,        // plain text: sealed now
    reseal,      // sealed under an earlier key: opened and sealed under the current one
    unreadable,  // sealed, but none of the keys opens it under its context
  };
  Kind kind;
  std::string value;  // the value to store, for seal and reseal
};
// `all`: also reseal values of earlier keys, and check that current ones open; otherwise only
// plain values are sealed.
SealStep seal_step(const crypto::SecretBox& box, std::string_view stored, std::string_view context,
                   bool all);

struct SealReport {
  std::string column;  // "table.column"
  int sealed = 0, resealed = 0, kept = 0;
  std::vector<std::string> unreadable;  // row ids
};

// Applies seal_step to every row of every sealed column. Each row is written only if it still
// holds the value read (compare and set), so several instances may run this at once, and a value
// changed meanwhile (a rotation) is left to its writer.
std::vector<SealReport> seal_columns(pqxx::connection& conn, const crypto::SecretBox& box,
                                     bool all);

}  // namespace pbx::store
