#include "cloudonix/call_state.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pbx::cloudonix {
namespace {

const std::vector<std::string> kTerminal{"noanswer",   "busy",   "cancel",   "nocredit", "error",
                                         "congestion", "failed", "external", "completed"};

// Feeds statuses in arrival order and returns where the call ends up.
std::string replay(const std::vector<std::string>& statuses) {
  std::string current;
  for (const auto& s : statuses) {
    if (advances(current, s)) current = s;
  }
  return current;
}

TEST(CallState, RanksInOrder) {
  EXPECT_LT(status_rank(""), status_rank("new"));
  EXPECT_LT(status_rank("new"), status_rank("processing"));
  EXPECT_LT(status_rank("processing"), status_rank("ringing"));
  EXPECT_LT(status_rank("ringing"), status_rank("connected"));
  EXPECT_EQ(status_rank("connected"), status_rank("answer"));
  for (const auto& t : kTerminal) {
    EXPECT_LT(status_rank("connected"), status_rank(t)) << t;
    EXPECT_TRUE(is_terminal(t)) << t;
    EXPECT_TRUE(is_known_status(t)) << t;
  }
  EXPECT_FALSE(is_terminal("connected"));
  EXPECT_FALSE(is_terminal("mystery"));
}

TEST(CallState, ForwardOnly) {
  EXPECT_TRUE(advances("", "new"));
  EXPECT_TRUE(advances("", "completed"));
  EXPECT_TRUE(advances("new", "ringing"));
  EXPECT_TRUE(advances("ringing", "connected"));
  EXPECT_TRUE(advances("connected", "completed"));
  EXPECT_TRUE(advances("ringing", "noanswer"));
  EXPECT_FALSE(advances("ringing", "ringing"));
  EXPECT_FALSE(advances("connected", "answer"));
  EXPECT_FALSE(advances("ringing", "new"));
  EXPECT_FALSE(advances("connected", ""));
  EXPECT_FALSE(advances("", ""));
}

TEST(CallState, LateRingingAfterConnected) {
  EXPECT_FALSE(advances("connected", "ringing"));
  EXPECT_EQ(replay({"new", "connected", "ringing"}), "connected");
}

TEST(CallState, OutOfOrderAndDuplicatedDeliveries) {
  EXPECT_EQ(
      replay({"ringing", "new", "processing", "connected", "ringing", "completed", "connected"}),
      "completed");
  EXPECT_EQ(replay({"completed", "connected", "ringing", "new"}), "completed");
}

TEST(CallState, FirstTerminalWins) {
  for (const auto& first : kTerminal) {
    for (const auto& second : kTerminal) {
      EXPECT_FALSE(advances(first, second)) << first << " -> " << second;
    }
    EXPECT_FALSE(advances(first, "mystery"));
  }
  EXPECT_EQ(replay({"ringing", "noanswer", "completed"}), "noanswer");
}

TEST(CallState, UnknownStatusesRankAsProcessing) {
  EXPECT_FALSE(is_known_status("mystery"));
  EXPECT_EQ(status_rank("mystery"), status_rank("processing"));
  EXPECT_TRUE(advances("", "mystery"));
  EXPECT_TRUE(advances("new", "mystery"));
  EXPECT_FALSE(advances("processing", "mystery"));
  EXPECT_FALSE(advances("ringing", "mystery"));
  EXPECT_FALSE(advances("connected", "mystery"));
  EXPECT_TRUE(advances("mystery", "ringing"));
  EXPECT_EQ(replay({"ringing", "mystery", "connected", "other-mystery"}), "connected");
}

TEST(CallState, PublicStates) {
  EXPECT_EQ(public_state(""), "initiated");
  EXPECT_EQ(public_state("new"), "initiated");
  EXPECT_EQ(public_state("processing"), "initiated");
  EXPECT_EQ(public_state("mystery"), "initiated");
  EXPECT_EQ(public_state("ringing"), "ringing");
  EXPECT_EQ(public_state("connected"), "connected");
  EXPECT_EQ(public_state("answer"), "connected");
  EXPECT_EQ(public_state("completed"), "completed");
  EXPECT_EQ(public_state("noanswer"), "no_answer");
  EXPECT_EQ(public_state("busy"), "busy");
  EXPECT_EQ(public_state("cancel"), "cancelled");
  for (const char* s : {"nocredit", "error", "congestion", "failed"}) {
    EXPECT_EQ(public_state(s), "failed") << s;
  }
  EXPECT_EQ(public_state("external"), "other");
}

TEST(CallState, OpbxStatesBecomeNativeStatuses) {
  // Every native status is its own state, however it is spelt.
  for (const auto& t : kTerminal) EXPECT_EQ(status_from_state(t), t);
  for (const char* live : {"new", "processing", "ringing", "connected", "answer"}) {
    EXPECT_EQ(status_from_state(live), live);
  }
  EXPECT_EQ(status_from_state("RINGING"), "ringing");
  EXPECT_EQ(status_from_state("no answer"), "noanswer");
  EXPECT_EQ(status_from_state("No_Answer"), "noanswer");
  EXPECT_EQ(status_from_state("no-answer"), "noanswer");
  EXPECT_EQ(status_from_state("answered"), "connected");
  EXPECT_EQ(status_from_state("Cancelled"), "cancel");
  EXPECT_EQ(status_from_state("canceled"), "cancel");
  // Unknown states are kept (lower-cased, otherwise as sent) and rank as unknown.
  EXPECT_EQ(status_from_state("On Hold"), "on hold");
  EXPECT_FALSE(is_known_status(status_from_state("On Hold")));
  EXPECT_EQ(status_from_state(""), "");
  // So an OPBX call reaches the same public states as a native one.
  EXPECT_EQ(public_state(status_from_state("answered")), "connected");
  EXPECT_EQ(public_state(status_from_state("no answer")), "no_answer");
  EXPECT_EQ(public_state(status_from_state("busy")), "busy");
  EXPECT_EQ(public_state(status_from_state("cancelled")), "cancelled");
}

TEST(CallState, ActiveStates) {
  for (const char* s : {"initiated", "ringing", "connected"}) EXPECT_TRUE(is_active_state(s));
  for (const auto& t : kTerminal) EXPECT_FALSE(is_active_state(public_state(t))) << t;
}

}  // namespace
}  // namespace pbx::cloudonix
