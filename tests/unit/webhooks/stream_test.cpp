// The tenant event stream's entries and length stay within the byte budget whatever the events.
#include "webhooks/stream.hpp"

#include <gtest/gtest.h>

#include <random>

namespace pbx::webhooks {
namespace {

StreamFields fields_of(const std::vector<std::string>& cmd) {
  StreamFields out;
  for (size_t i = 6; i + 1 < cmd.size(); i += 2) out.emplace_back(cmd[i], cmd[i + 1]);
  return out;
}

std::string value_of(const StreamFields& fields, const std::string& name) {
  for (const auto& [n, v] : fields) {
    if (n == name) return v;
  }
  return "<absent>";
}

TEST(EventStream, ASmallEventIsAddedWhole) {
  StreamBudget budget;
  auto cmd =
      stream_add("pbx:events:t", budget,
                 {{"kind", "cdr"}, {"session", "s1"}, {"disposition", "answered"}}, R"({"a":1})");
  EXPECT_EQ(std::vector<std::string>(cmd.begin(), cmd.begin() + 6),
            (std::vector<std::string>{"XADD", "pbx:events:t", "MAXLEN", "~",
                                      std::to_string(budget.max_entries()), "*"}));
  auto fields = fields_of(cmd);
  EXPECT_EQ(value_of(fields, "data"), R"({"a":1})");
  EXPECT_EQ(value_of(fields, "truncated"), "<absent>");
}

TEST(EventStream, ALargeEventKeepsItsSummaryWithoutItsPayload) {
  // Once copied whole: a tenant's large events filled the shared Redis.
  StreamBudget budget;
  std::string data(budget.entry_max_bytes, 'x');
  auto fields = fields_of(stream_add(
      "k", budget, {{"kind", "session_update"}, {"session", "s1"}, {"status", "ringing"}}, data));
  EXPECT_EQ(value_of(fields, "data"), "<absent>");
  EXPECT_EQ(value_of(fields, "truncated"), "1");
  EXPECT_EQ(value_of(fields, "data_bytes"), std::to_string(data.size()));
  EXPECT_EQ(value_of(fields, "session"), "s1");
  EXPECT_EQ(value_of(fields, "status"), "ringing");
}

TEST(EventStream, EveryEntryFitsItsBudgetWhateverTheEvent) {
  std::mt19937 random(7);
  for (size_t entry_max : {kMinStreamEntryBytes, size_t{4096}, size_t{65536}}) {
    StreamBudget budget{size_t{64} << 20, entry_max};
    for (int i = 0; i < 300; ++i) {
      auto text = [&](size_t max) {
        std::string s(random() % (max + 1), 'a');
        if (!s.empty() && random() % 2) s.back() = '\xc3';  // a sequence cut short
        return s;
      };
      auto fields = fields_of(stream_add(
          "k", budget, {{"kind", text(20)}, {"session", text(5000)}, {"status", text(5000)}},
          text(3 * entry_max)));
      EXPECT_LE(stream_entry_bytes(fields), entry_max) << i;
    }
  }
}

TEST(EventStream, MetadataIsCutAtACharacterBoundary) {
  std::string session = std::string(kMaxStreamValueBytes - 1, 'a') + "\xc3\xa9";  // "...aé"
  auto fields = fields_of(stream_add("k", StreamBudget{}, {{"session", session}}, "{}"));
  EXPECT_EQ(value_of(fields, "session"), std::string(kMaxStreamValueBytes - 1, 'a'));
}

TEST(EventStream, TheLengthFollowsTheByteBudget) {
  EXPECT_EQ((StreamBudget{size_t{32} << 20, 4096}).max_entries(), 8192U);
  EXPECT_EQ((StreamBudget{size_t{1} << 20, 1024}).max_entries(), 1024U);
  EXPECT_EQ((StreamBudget{size_t{1} << 40, 1024}).max_entries(), 100000U);  // the count cap
  EXPECT_EQ((StreamBudget{1000, 4096}).max_entries(), 1U);
}

}  // namespace
}  // namespace pbx::webhooks
