#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace pbx::webhooks {

// Every stored event is also added to its tenant's Redis stream (pbx:events:<tenant>), bounded
// in bytes as well as in entries, so that no tenant can fill the Redis every tenant shares:
// - an entry's field names and values hold at most entry_max_bytes: an event whose payload
//   would not fit keeps its kind, session and status, and instead of `data` says
//   `truncated` = "1" and `data_bytes` (the payload is in Postgres);
// - the stream keeps at most max_entries() = max_bytes / entry_max_bytes entries (and never
//   more than 100,000). XADD trims with MAXLEN ~, which removes whole nodes only, so a stream
//   holds at most one node's entries beyond that (stream-node-max-bytes, 4 KiB by default).
// So a tenant's stream holds at most max_bytes of fields and values, plus one node and Redis's
// small per-entry overhead, whatever its events.
struct StreamBudget {
  size_t max_bytes = size_t{32} * 1024 * 1024;
  size_t entry_max_bytes = 4096;  // at least kMinStreamEntryBytes

  size_t max_entries() const;
};

// Room for every member but the payload at its longest (kMaxStreamValueBytes each).
constexpr size_t kMinStreamEntryBytes = 1024;
// A member other than the payload is cut to this many bytes (at a character boundary).
constexpr size_t kMaxStreamValueBytes = 256;

using StreamFields = std::vector<std::pair<std::string, std::string>>;

// The XADD command adding one event to `key` under `budget`: `fields` (kind, session, status,
// ...) then `data`, the payload, which is left out when the entry would exceed the budget.
std::vector<std::string> stream_add(const std::string& key, const StreamBudget& budget,
                                    StreamFields fields, const std::string& data);

// Bytes of an entry's field names and values (what the budget counts).
size_t stream_entry_bytes(const StreamFields& fields);

}  // namespace pbx::webhooks
