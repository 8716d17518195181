// The payload builders read back by the service's own parsers.
#include "cloudonix/payloads.hpp"
#include "cloudonix/cdr_record.hpp"
#include "cloudonix/session_update.hpp"
#include "cloudonix/signature.hpp"

#include <gtest/gtest.h>

namespace pbx::cloudonix {
namespace {

CallFacts answered() {
  return {.session = "tok-1",
          .call_id = "tok-1@simulator.invalid",
          .domain = "demo.cloudonix.net",
          .from = "+14155550142",
          .to = "+12025550100",
          .direction = "inbound",
          .start_ms = 1772620200000,
          .answer_ms = 1772620207000,
          .end_ms = 1772620237000};
}

TEST(Payloads, SessionUpdateParsesAsSent) {
  auto item = cloudonix::parse_session_update(
      session_update(answered(), "connected", 1772620207000, "ev-1"));
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
      cloudonix::parse_session_update(session_update(ringing, "ringing", ringing.start_ms, "e"));
  EXPECT_FALSE(early.update->call_answer_time.has_value());
  EXPECT_FALSE(early.update->call_end_time.has_value());
}

TEST(Payloads, SessionUpdateCarriesItsEventIdAndTheSessionId) {
  auto call = answered();
  auto plain = session_update(call, "ringing", call.start_ms, "ev-2");
  EXPECT_EQ(plain["eventId"], "ev-2");
  EXPECT_FALSE(plain.contains("id"));  // unknown: not sent
  call.id = 48211907;
  auto item = parse_session_update(session_update(call, "ringing", call.start_ms, "ev-2"));
  ASSERT_TRUE(item.ok()) << item.error;
  EXPECT_EQ(item.update->event_id, "ev-2");
  EXPECT_EQ(item.update->id, 48211907);
}

TEST(Payloads, CdrParsesAsSent) {
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

TEST(Payloads, CdrNamesItsApplicationAndSubscriber) {
  auto call = answered();
  EXPECT_TRUE(cdr(call, "ANSWER", "completed")["application"].is_null());
  call.application = "pbx-simulator";
  call.direction = "subscriber";
  call.to = "102";
  auto body = cdr(call, "ANSWER", "completed");
  EXPECT_EQ(body["application"], "pbx-simulator");
  EXPECT_EQ(body["subscriber"], "+14155550142");
  EXPECT_EQ(parse_cdr(body).direction, Direction::internal);
}

TEST(Payloads, Dispositions) {
  EXPECT_EQ(cdr_disposition("completed"), "ANSWER");
  EXPECT_EQ(cdr_disposition("noanswer"), "NOANSWER");
  EXPECT_EQ(cloudonix::normalise_disposition(cdr_disposition("congestion")),
            cloudonix::Disposition::failed);
}

TEST(Payloads, SessionDirections) {
  auto c = answered();
  c.direction = "subscriber";
  EXPECT_EQ(session_direction(c), "outgoing");
  c.to = "102";
  EXPECT_EQ(session_direction(c), "internal");
  c.direction = "outbound-api";
  EXPECT_EQ(session_direction(c), "application");
}

TEST(Payloads, VoiceParametersNameTheCallAndItsDomain) {
  auto p = voice_parameters(answered());
  EXPECT_EQ(p, (nlohmann::json{{"ApiVersion", "1"},
                               {"CallSid", "tok-1"},
                               {"Session", "tok-1"},
                               {"From", "+14155550142"},
                               {"To", "+12025550100"},
                               {"Direction", "inbound"},
                               {"Domain", "demo.cloudonix.net"},
                               {"AccountSid", "demo.cloudonix.net"}}));
}

TEST(Payloads, OpbxStyleCarriesFlatFieldsAndIsoTimes) {
  auto call = answered();
  call.id = 48211907;
  auto update = opbx_session_update(call, "uuid-1", "ringing", "2026-03-04T10:30:02Z");
  EXPECT_EQ(update["session_id"], 48211907);
  EXPECT_EQ(update["session_uuid"], "tok-1");
  EXPECT_EQ(update["domain_uuid"], "uuid-1");
  EXPECT_EQ(update["direction"], "incoming");
  EXPECT_EQ(update["state"], "ringing");
  auto record = parse_cdr(opbx_cdr(call, "uuid-1", "answered"));
  EXPECT_EQ(record.session_token, "tok-1");
  EXPECT_EQ(record.duration, 37);
  EXPECT_EQ(record.disposition, Disposition::answered);
  EXPECT_EQ(to_iso8601(*record.started_at), "2026-03-04T10:30:00.000Z");
  EXPECT_EQ(to_iso8601(*record.ended_at), "2026-03-04T10:30:37.000Z");
}

TEST(Payloads, SignedWebhookHeadersVerify) {
  const std::string body = R"({"token":"t"})";
  auto headers = signed_webhook_headers("s3cret", body, "demo.cloudonix.net", 1772620200);
  ASSERT_EQ(headers.size(), 3u);
  EXPECT_EQ(headers[0].first, kSignatureHeader);
  EXPECT_EQ(headers[1],
            (std::pair<std::string, std::string>{std::string(kTimestampHeader), "1772620200"}));
  EXPECT_EQ(headers[2], (std::pair<std::string, std::string>{"X-CX-Domain", "demo.cloudonix.net"}));
  EXPECT_EQ(verify_signature(headers[0].second, headers[1].second, body, {"s3cret"}, 1772620200),
            SignatureResult::ok);
}

}  // namespace
}  // namespace pbx::cloudonix
