#include "core/uuid_v7.hpp"

#include "core/crypto.hpp"

#include <algorithm>
#include <atomic>

namespace pbx::uuid {

namespace {

// When the counter of a millisecond runs out, it carries into the timestamp: ids stay
// ordered, and the clock of the ids runs ahead by at most what the burst needs.
std::uint64_t next_sequence(std::uint64_t now_ms, std::uint64_t previous) {
  return std::max(previous + 1, now_ms << 12);
}

std::string format(std::uint64_t sequence) {
  std::string b = crypto::random_bytes(16);
  std::uint64_t ms = sequence >> 12;
  for (int i = 0; i < 6; ++i) b[i] = static_cast<char>((ms >> (40 - 8 * i)) & 0xff);
  b[6] = static_cast<char>(0x70 | ((sequence >> 8) & 0x0f));
  b[7] = static_cast<char>(sequence & 0xff);
  b[8] = static_cast<char>((b[8] & 0x3f) | 0x80);
  std::string hex = crypto::to_hex(b);
  std::string out;
  out.reserve(36);
  out.append(hex, 0, 8).append(1, '-').append(hex, 8, 4).append(1, '-').append(hex, 12, 4);
  out.append(1, '-').append(hex, 16, 4).append(1, '-').append(hex, 20, 12);
  return out;
}

std::uint64_t unix_ms(std::chrono::system_clock::time_point now) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  return static_cast<std::uint64_t>(std::max<std::int64_t>(ms, 0));
}

}  // namespace

std::string v7() {
  static std::atomic<std::uint64_t> last{0};
  std::uint64_t now_ms = unix_ms(std::chrono::system_clock::now());
  std::uint64_t previous = last.load(std::memory_order_relaxed);
  std::uint64_t next = next_sequence(now_ms, previous);
  while (!last.compare_exchange_weak(previous, next, std::memory_order_relaxed)) {
    next = next_sequence(now_ms, previous);
  }
  return format(next);
}

std::string v7_at(std::chrono::system_clock::time_point now, std::uint64_t& last) {
  last = next_sequence(unix_ms(now), last);
  return format(last);
}

}  // namespace pbx::uuid
