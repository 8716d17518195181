#include "webhooks/stream.hpp"

#include <algorithm>

namespace pbx::webhooks {

namespace {

constexpr size_t kMaxStreamEntries = 100000;

// The longest prefix of at most `max` bytes that does not split a UTF-8 sequence.
std::string cut(std::string s, size_t max) {
  if (s.size() <= max) return s;
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  s.resize(end);
  return s;
}

}  // namespace

size_t StreamBudget::max_entries() const {
  return std::clamp<size_t>(max_bytes / std::max(entry_max_bytes, size_t{1}), 1, kMaxStreamEntries);
}

size_t stream_entry_bytes(const StreamFields& fields) {
  size_t n = 0;
  for (const auto& [name, value] : fields) n += name.size() + value.size();
  return n;
}

std::vector<std::string> stream_add(const std::string& key, const StreamBudget& budget,
                                    StreamFields fields, const std::string& data) {
  for (auto& [name, value] : fields) value = cut(std::move(value), kMaxStreamValueBytes);
  if (stream_entry_bytes(fields) + 4 + data.size() <= budget.entry_max_bytes) {
    fields.emplace_back("data", data);
  } else {
    fields.emplace_back("truncated", "1");
    fields.emplace_back("data_bytes", std::to_string(data.size()));
  }
  std::vector<std::string> cmd{"XADD", key, "MAXLEN", "~", std::to_string(budget.max_entries()),
                               "*"};
  for (auto& [name, value] : fields) {
    cmd.push_back(std::move(name));
    cmd.push_back(std::move(value));
  }
  return cmd;
}

}  // namespace pbx::webhooks
