// The simulator's session updates and CDR read back by the service's own parsers.
#include "simulator/reports.hpp"
#include "cloudonix/cdr_record.hpp"
#include "cloudonix/session_update.hpp"

#include <gtest/gtest.h>

namespace pbx::simulator {
namespace {

CallFacts answered() {
  return {"tok-1",
          "tok-1@simulator.invalid",
          "demo.cloudonix.net",
          "+14155550142",
          "+12025550100",
          "inbound",
          1772620200000,
          1772620207000,
          1772620237000};
}

TEST(SimulatorReports, SessionUpdateParsesAsSent) {
  auto item =
      cloudonix::parse_session_update(session_update(answered(), "connected", 1772620207000));
  ASSERT_TRUE(item.ok()) << item.error;
  const auto& u = *item.update;
  EXPECT_EQ(u.session_token, "tok-1");
  EXPECT_EQ(u.status, "connected");
  EXPECT_EQ(u.direction, cloudonix::Direction::inbound);
  EXPECT_EQ(u.caller_id, "+14155550142");
  EXPECT_TRUE(u.event_id.has_value());
  EXPECT_EQ(u.call_answer_time->time_since_epoch().count(), 1772620207000);
  EXPECT_EQ(cloudonix::to_iso8601(*u.modified_at), "2026-03-04T10:30:07.000Z");

  auto ringing = answered();
  ringing.answer_ms = ringing.end_ms = 0;
  auto early =
      cloudonix::parse_session_update(session_update(ringing, "ringing", ringing.start_ms));
  EXPECT_FALSE(early.update->call_answer_time.has_value());
  EXPECT_FALSE(early.update->call_end_time.has_value());
}

TEST(SimulatorReports, CdrParsesAsSent) {
  auto r = cloudonix::parse_cdr(cdr(answered(), "ANSWER", "completed"));
  EXPECT_EQ(r.session_token, "tok-1");
  EXPECT_EQ(r.disposition, cloudonix::Disposition::answered);
  EXPECT_EQ(r.duration, 37);
  EXPECT_EQ(r.billsec, 30);
  EXPECT_EQ(r.direction, cloudonix::Direction::inbound);

  auto missed = answered();
  missed.answer_ms = 0;
  auto m = cloudonix::parse_cdr(cdr(missed, "NOANSWER", "noanswer"));
  EXPECT_EQ(m.disposition, cloudonix::Disposition::no_answer);
  EXPECT_EQ(m.billsec, 0);
  EXPECT_FALSE(m.answered);
}

TEST(SimulatorReports, HowTheCallEnded) {
  using Kind = DialOutcome::Kind;
  EXPECT_EQ(terminal_status(true, std::nullopt, Kind::busy), "completed");
  EXPECT_EQ(terminal_status(false, "rejected", std::nullopt), "busy");
  EXPECT_EQ(terminal_status(false, "congestion", Kind::busy), "congestion");
  EXPECT_EQ(terminal_status(false, std::nullopt, Kind::failed), "failed");
  EXPECT_EQ(terminal_status(false, std::nullopt, Kind::no_answer), "noanswer");
  EXPECT_EQ(terminal_status(false, std::nullopt, std::nullopt), "noanswer");
  EXPECT_EQ(cdr_disposition("completed"), "ANSWER");
  EXPECT_EQ(cdr_disposition("noanswer"), "NOANSWER");
  EXPECT_EQ(cloudonix::normalise_disposition(cdr_disposition("congestion")),
            cloudonix::Disposition::failed);
}

TEST(SimulatorReports, SessionDirections) {
  auto c = answered();
  c.direction = "subscriber";
  EXPECT_EQ(session_direction(c), "outgoing");
  c.to = "102";
  EXPECT_EQ(session_direction(c), "internal");
  c.direction = "outbound-api";
  EXPECT_EQ(session_direction(c), "application");
}

}  // namespace
}  // namespace pbx::simulator
