// How a simulated call ended. (Its session updates and CDR: tests/unit/cloudonix/payloads_test.)
#include "simulator/reports.hpp"

#include <gtest/gtest.h>

namespace pbx::simulator {
namespace {

TEST(SimulatorReports, HowTheCallEnded) {
  using Kind = DialOutcome::Kind;
  EXPECT_EQ(terminal_status(true, std::nullopt, Kind::busy), "completed");
  EXPECT_EQ(terminal_status(false, "rejected", std::nullopt), "busy");
  EXPECT_EQ(terminal_status(false, "congestion", Kind::busy), "congestion");
  EXPECT_EQ(terminal_status(false, std::nullopt, Kind::failed), "failed");
  EXPECT_EQ(terminal_status(false, std::nullopt, Kind::no_answer), "noanswer");
  EXPECT_EQ(terminal_status(false, std::nullopt, std::nullopt), "noanswer");
}

}  // namespace
}  // namespace pbx::simulator
