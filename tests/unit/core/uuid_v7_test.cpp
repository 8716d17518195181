#include "core/uuid_v7.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <thread>
#include <vector>

namespace pbx::uuid {
namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

const std::regex kV7("^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");

TEST(UuidV7, LayoutIsVersion7WithTheUnixMillisecondsFirst) {
  std::uint64_t last = 0;
  // 2026-03-04T10:30:00.123Z = 1772620200123 ms = 0x019cb865b8bb.
  auto id = v7_at(system_clock::time_point(milliseconds(1772620200123)), last);
  EXPECT_TRUE(std::regex_match(id, kV7)) << id;
  EXPECT_EQ(id.substr(0, 13), "019cb865-b8bb") << id;
}

TEST(UuidV7, OrderedWithinAMillisecondAndWhenTheClockStepsBack) {
  std::uint64_t last = 0;
  auto t = system_clock::time_point(milliseconds(1772620200123));
  std::vector<std::string> ids;
  for (int i = 0; i < 5000; ++i) ids.push_back(v7_at(t, last));  // counter carries into the ms
  ids.push_back(v7_at(t - milliseconds(10), last));
  ids.push_back(v7_at(t + milliseconds(60000), last));
  for (size_t i = 1; i < ids.size(); ++i) EXPECT_LT(ids[i - 1], ids[i]) << i;
  for (const auto& id : ids) EXPECT_TRUE(std::regex_match(id, kV7)) << id;
}

TEST(UuidV7, RandomTailDiffersBetweenIds) {
  std::set<std::string> tails;
  for (int i = 0; i < 2000; ++i) tails.insert(v7().substr(19));  // past the pooled refills
  EXPECT_EQ(tails.size(), 2000u);
}

TEST(UuidV7, UniqueAndOrderedPerThreadWhenMadeConcurrently) {
  std::vector<std::vector<std::string>> made(4);
  std::vector<std::thread> threads;
  for (auto& out : made) {
    threads.emplace_back([&out] {
      for (int i = 0; i < 20000; ++i) out.push_back(v7());
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> all;
  for (const auto& out : made) {
    for (size_t i = 1; i < out.size(); ++i) ASSERT_LT(out[i - 1], out[i]);
    all.insert(out.begin(), out.end());
  }
  EXPECT_EQ(all.size(), 80000u);
}

}  // namespace
}  // namespace pbx::uuid
