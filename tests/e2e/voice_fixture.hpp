#pragma once
// One tenant's PBX seeded through the store layer, a second tenant to trespass from, and the
// real service over HTTP: shared by the voice end-to-end tests.
#include "support/test_env.hpp"
#include "support/voice.hpp"
#include "voice/routing_store.hpp"

#include <gtest/gtest.h>

#include <memory>

namespace pbx::testing {

inline constexpr const char* kPublicBase = "https://pbx.e2e.example";

struct SeededIds {
  std::string front_desk, sales, inactive, forwarded, member_a, member_b;
  std::string main_menu, sub_menu, sim_group, seq_group, rr_group;
};

class VoiceE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env_ = new Env(TestEnv::get().migrated_env());
    tenant_ = new TenantCredentials(bootstrap_tenant(*env_, "voice.cloudonix.net"));
    other_ = new TenantCredentials(bootstrap_tenant(*env_, "other.cloudonix.net"));
    TestEnv::get().pg().execute(std::string("UPDATE tenants SET public_base_url = '") +
                                kPublicBase + "', default_caller_id = '+12125550000'");
    ids_ = new SeededIds(seed());
    start_service();
  }
  static void TearDownTestSuite() {
    delete svc_;
    delete ids_;
    delete other_;
    delete tenant_;
    delete env_;
  }

  static void start_service() {
    svc_ = new ServiceProcess({"serve"}, *env_);
    svc_->wait_healthy();
  }

  // Runs fn(tx) in one transaction through the store layer's named statements.
  template <typename Fn>
  static auto with_store(Fn&& fn) {
    store::PgPool pool({(*env_)["PBX_DATABASE_URL"], 1}, voice::routing_statements());
    return pool.with([&](pqxx::connection& conn) {
      pqxx::work tx(conn);
      auto result = fn(tx);
      tx.commit();
      return result;
    });
  }

  static SeededIds seed() {
    using routing::Destination;
    using routing::DestinationType;
    return with_store([](pqxx::work& tx) {
      const auto& t = tenant_->id;
      SeededIds ids;
      voice::NewExtension e;
      e.number = "1001";
      e.name = "Front Desk";
      e.ring_timeout = 25;
      e.voicemail_enabled = true;
      e.outbound_allowed = true;
      e.caller_id = "+12125550199";
      ids.front_desk = voice::insert_extension(tx, t, e);
      ids.sales = voice::insert_extension(tx, t, {"1002", "Sales"});
      voice::NewExtension inactive{"1003", "Former"};
      inactive.active = false;
      inactive.voicemail_enabled = true;
      inactive.voicemail_greeting = "Bob has left the company.";
      ids.inactive = voice::insert_extension(tx, t, inactive);
      voice::NewExtension fwd{"1004", "Remote"};
      fwd.forward_to = "sip:alice@remote.example.net";
      ids.forwarded = voice::insert_extension(tx, t, fwd);
      ids.member_a = voice::insert_extension(tx, t, {"1005", "A"});
      ids.member_b = voice::insert_extension(tx, t, {"1006", "B"});
      voice::insert_conference_room(tx, t, {"", "standup", "800", 10, false, false});

      voice::NewRingGroup sim{"Everyone", "600"};
      sim.members = {ids.member_a, ids.member_b, ids.inactive};
      ids.sim_group = voice::insert_ring_group(tx, t, sim);
      voice::NewRingGroup seq{"Support", "601", "sequential", 15, 2};
      seq.members = {ids.member_a, ids.member_b};
      seq.fallback = Destination{DestinationType::voicemail, ids.front_desk};
      ids.seq_group = voice::insert_ring_group(tx, t, seq);
      voice::NewRingGroup rr{"Rotation", "602", "round_robin"};
      rr.members = {ids.front_desk, ids.sales, ids.member_a};
      ids.rr_group = voice::insert_ring_group(tx, t, rr);
      voice::NewRingGroup empty{"Nobody", "603"};
      empty.members = {ids.inactive};
      empty.fallback = Destination{DestinationType::forward, "+14155550100"};
      auto empty_group = voice::insert_ring_group(tx, t, empty);

      voice::NewIvrMenu sub{"Sub", ""};
      sub.prompt = {{"play_url", "https://audio.example.net/sub.mp3"}};
      sub.options = {{"1", {DestinationType::forward, "+14155550100"}}};
      sub.timeout_destination = Destination{DestinationType::hangup, ""};
      ids.sub_menu = voice::insert_ivr_menu(tx, t, sub);
      voice::NewIvrMenu main{"Main", "700"};
      main.prompt = {{"say", "Press 1 for sales & 2 for the stand-up"},
                     {"voice", "Google:en-US-Neural2-F"},
                     {"language", "en-US"}};
      main.digit_timeout = 7;
      main.max_attempts = 2;
      main.invalid_prompt = "That is not an option.";
      main.options = {{"1", {DestinationType::extension, ids.sales}},
                      {"2", {DestinationType::conference, "standup"}},
                      {"90", {DestinationType::ivr_menu, ids.sub_menu}}};
      main.failover = Destination{DestinationType::voicemail, ids.front_desk};
      ids.main_menu = voice::insert_ivr_menu(tx, t, main);

      nlohmann::json all_day = nlohmann::json::array({{{"start", "00:00"}, {"end", "24:00"}}});
      voice::NewBusinessHours open{"Always", "America/New_York"};
      for (const char* day : {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}) {
        open.weekly[day] = all_day;
      }
      open.open_destination = {DestinationType::extension, ids.sales};
      open.closed_destination = {DestinationType::hangup, ""};
      auto open_hours = voice::insert_business_hours(tx, t, open);
      voice::NewBusinessHours closed{"Never", ""};
      closed.open_destination = {DestinationType::extension, ids.sales};
      closed.closed_destination = {DestinationType::voicemail, ids.front_desk};
      auto closed_hours = voice::insert_business_hours(tx, t, closed);
      voice::NewBusinessHours loop{"Loop", ""};
      loop.open_destination = {DestinationType::hangup, ""};
      loop.closed_destination = {DestinationType::hangup, ""};
      auto loop_hours = voice::insert_business_hours(tx, t, loop);
      tx.exec_params0(
          "UPDATE business_hours SET closed_destination = jsonb_build_object('type', "
          "'business_hours', 'id', id) WHERE id = $1",
          loop_hours);

      auto did = [&](const char* number, Destination d, bool active = true) {
        voice::insert_phone_number(tx, t, number, d, active);
      };
      did("+12125550100", {DestinationType::ivr_menu, ids.main_menu});
      did("+12125550101", {DestinationType::extension, ids.front_desk});
      did("+12125550102", {DestinationType::extension, ids.sales});
      did("+12125550103", {DestinationType::extension, ids.inactive});
      did("+12125550104", {DestinationType::extension, ids.forwarded});
      did("+12125550105", {DestinationType::ring_group, ids.sim_group});
      did("+12125550106", {DestinationType::ring_group, ids.seq_group});
      did("+12125550107", {DestinationType::ring_group, ids.rr_group});
      did("+12125550108", {DestinationType::ring_group, empty_group});
      did("+12125550109", {DestinationType::business_hours, open_hours});
      did("+12125550110", {DestinationType::business_hours, closed_hours});
      did("+12125550111", {DestinationType::conference, "standup"});
      did("+12125550112", {DestinationType::forward, "+14155550100"});
      did("+12125550113", {DestinationType::hangup, ""});
      did("+12125550114", {DestinationType::extension, "00000000-0000-4000-8000-000000000000"});
      did("+12125550115", {DestinationType::business_hours, loop_hours});
      did("+12125550116", {DestinationType::extension, ids.front_desk}, false);
      did("+12125550117", {DestinationType::ivr_menu, ids.sub_menu});

      auto theirs = voice::insert_extension(tx, other_->id, {"2001", "Theirs"});
      voice::insert_phone_number(tx, other_->id, "+13105550100",
                                 {DestinationType::extension, theirs});
      return ids;
    });
  }

  VoiceClient client() const {
    return VoiceClient(svc_->base_url(), tenant_->requests_api_key, kPublicBase);
  }
  // A new inbound call to `did`.
  static std::map<std::string, std::string> inbound(const std::string& did,
                                                    const std::string& call = "call-1") {
    return {{"CallSid", call}, {"Session", call},        {"From", "+14155550142"},
            {"To", did},       {"Direction", "inbound"}, {"Domain", "voice.cloudonix.net"}};
  }
  static std::string scalar(const std::string& sql) {
    return TestEnv::get().pg().query_scalar(sql);
  }

  static inline Env* env_ = nullptr;
  static inline TenantCredentials* tenant_ = nullptr;
  static inline TenantCredentials* other_ = nullptr;
  static inline SeededIds* ids_ = nullptr;
  static inline ServiceProcess* svc_ = nullptr;
};

}  // namespace pbx::testing
