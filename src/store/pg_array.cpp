#include "store/pg_array.hpp"

namespace pbx::store {

void ArrayLiteral::add(const std::string& value) {
  if (count_++ > 0) body_.push_back(',');
  body_.push_back('"');
  for (char c : value) {
    if (c == '"' || c == '\\') body_.push_back('\\');
    body_.push_back(c);
  }
  body_.push_back('"');
}

void ArrayLiteral::add(const std::optional<std::string>& value) {
  if (value) {
    add(*value);
  } else {
    add_null();
  }
}

void ArrayLiteral::add_null() {
  if (count_++ > 0) body_.push_back(',');
  body_ += "NULL";
}

}  // namespace pbx::store
