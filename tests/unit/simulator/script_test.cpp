// The script options of `pbxd simulate`.
#include "simulator/script.hpp"

#include <gtest/gtest.h>

namespace pbx::simulator {
namespace {

TEST(SimulatorScript, Digits) {
  EXPECT_EQ(parse_digits("9,2"), (std::vector<std::string>{"9", "2"}));
  EXPECT_EQ(parse_digits("1,,*#"), (std::vector<std::string>{"1", "", "*#"}));
  EXPECT_TRUE(parse_digits("").empty());
  EXPECT_THROW(parse_digits("1,a"), ScriptError);
}

TEST(SimulatorScript, DialOutcomes) {
  auto d = parse_dials("busy,answer:30,no-answer,noanswer,failed,answer");
  std::vector<std::string> described;
  for (const auto& o : d) described.push_back(o.describe());
  EXPECT_EQ(described, (std::vector<std::string>{"busy", "answer:30", "no-answer", "no-answer",
                                                 "failed", "answer:5"}));
  EXPECT_EQ(d[1].dial_status(), "completed");
  for (const char* bad : {"ringing", "answer:", "answer:x", "answer30", "answer:-1"}) {
    EXPECT_THROW(parse_dials(bad), ScriptError) << bad;
  }
}

TEST(SimulatorScript, Voicemail) {
  EXPECT_TRUE(parse_voicemail("yes"));
  EXPECT_FALSE(parse_voicemail("none"));
  EXPECT_THROW(parse_voicemail("maybe"), ScriptError);
}

}  // namespace
}  // namespace pbx::simulator
