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

// 8 random bytes per id, drawn from the CSPRNG a few kilobytes at a time: one RAND_bytes call
// per id cost more than the rest of the id.
std::uint64_t random_tail() {
  constexpr std::size_t kPool = 4096;
  thread_local std::string pool;
  thread_local std::size_t used = kPool;
  if (used + 8 > pool.size()) {
    pool = crypto::random_bytes(kPool);
    used = 0;
  }
  std::uint64_t r = 0;
  for (int i = 0; i < 8; ++i) r = (r << 8) | static_cast<unsigned char>(pool[used++]);
  return r;
}

std::string format(std::uint64_t sequence) {
  static constexpr char kHex[] = "0123456789abcdef";
  // 48-bit milliseconds, version 7, 12-bit counter; variant 10, 62 random bits.
  std::uint64_t high = ((sequence >> 12) << 16) | 0x7000 | (sequence & 0x0fff);
  std::uint64_t low = (random_tail() & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  std::string out(36, '-');
  std::size_t pos = 0;
  for (int i = 0; i < 32; ++i) {
    if (pos == 8 || pos == 13 || pos == 18 || pos == 23) ++pos;
    std::uint64_t word = i < 16 ? high : low;
    out[pos++] = kHex[(word >> (60 - 4 * (i % 16))) & 0xf];
  }
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
