#pragma once

#include <optional>
#include <string>
#include <vector>

namespace pbx::store {

// Builds a PostgreSQL array literal ('{"a","b",NULL}') for binding as one parameter, so that
// a batch of rows is written with one `INSERT ... SELECT FROM unnest($1::text[], ...)`.
class ArrayLiteral {
 public:
  void add(const std::string& value);
  void add(const std::optional<std::string>& value);
  void add_null();
  std::string str() const { return "{" + body_ + "}"; }
  size_t size() const { return count_; }

 private:
  std::string body_;
  size_t count_ = 0;
};

}  // namespace pbx::store
