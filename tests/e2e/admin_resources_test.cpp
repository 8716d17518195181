// Admin API resources over HTTP against the running service: create, read, list with
// pagination, update, delete, validation, in-use deletion, and routing picking up the changes.
#include "e2e/admin_fixture.hpp"
#include "support/eventually.hpp"
#include "support/voice.hpp"

#include <algorithm>
#include <set>

namespace pbx::testing {
namespace {

using Admin = AdminE2E;
using nlohmann::json;

TEST_F(Admin, ExtensionLifecycle) {
  auto created = owner_->post("/api/v1/extensions", {{"number", "201"},
                                                     {"name", "Reception"},
                                                     {"voicemail_enabled", true},
                                                     {"forward_to", "sip:desk@pbx.example.net"}});
  ASSERT_EQ(created.status, 201) << created.body.dump();
  auto id = created.id();
  EXPECT_EQ(created.body["status"], "active");
  EXPECT_EQ(created.body["ring_timeout"], 30);
  EXPECT_EQ(created.body["voicemail_enabled"], true);
  EXPECT_EQ(created.body["created_at"].get<std::string>().back(), 'Z');

  auto read = owner_->get("/api/v1/extensions/" + id);
  EXPECT_EQ(read.status, 200);
  EXPECT_EQ(read.body, created.body);

  auto updated =
      owner_->patch("/api/v1/extensions/" + id, {{"ring_timeout", 45}, {"forward_to", nullptr}});
  EXPECT_EQ(updated.status, 200) << updated.body.dump();
  EXPECT_EQ(updated.body["ring_timeout"], 45);
  EXPECT_TRUE(updated.body["forward_to"].is_null());
  EXPECT_EQ(updated.body["name"], "Reception");

  EXPECT_EQ(owner_->del("/api/v1/extensions/" + id).status, 204);
  EXPECT_EQ(owner_->get("/api/v1/extensions/" + id).status, 404);
  EXPECT_EQ(owner_->del("/api/v1/extensions/" + id).status, 404);
  EXPECT_EQ(owner_->get("/api/v1/extensions/not-a-uuid").status, 404);
}

TEST_F(Admin, EveryBadFieldIsReportedAtOnce) {
  auto r = owner_->post("/api/v1/extensions", {{"number", "1"},
                                               {"name", 7},
                                               {"ring_timeout", 9000},
                                               {"caller_id", "555"},
                                               {"status", "sleeping"},
                                               {"tenant_id", "someone-else"}});
  ASSERT_EQ(r.status, 422);
  EXPECT_EQ(r.body["error"]["code"], "validation_failed");
  for (const char* f : {"number", "name", "ring_timeout", "caller_id", "status", "tenant_id"}) {
    EXPECT_TRUE(r.fields().contains(f)) << f << " in " << r.body.dump();
  }
  EXPECT_EQ(r.fields()["tenant_id"][0], "unknown field");
  auto no_number = owner_->post("/api/v1/extensions", json::object());
  EXPECT_EQ(no_number.fields()["number"][0], "required");
  auto not_object = owner_->post("/api/v1/extensions", json::array());
  EXPECT_EQ(not_object.status, 422);
  auto read_only = owner_->patch("/api/v1/extensions/" + new_extension(), {{"id", "x"}});
  EXPECT_EQ(read_only.fields()["id"][0], "unknown field");
}

TEST_F(Admin, NumbersAreUniqueAcrossExtensionsGroupsAndMenus) {
  ASSERT_EQ(owner_->post("/api/v1/extensions", {{"number", "5555"}}).status, 201);
  auto again = owner_->post("/api/v1/extensions", {{"number", "5555"}});
  EXPECT_EQ(again.status, 422);
  EXPECT_NE(again.fields()["number"][0].get<std::string>().find("already exists"),
            std::string::npos);
  auto group = owner_->post("/api/v1/ring-groups", {{"name", "Clash"}, {"number", "5555"}});
  EXPECT_EQ(group.status, 422);
  EXPECT_TRUE(group.fields().contains("number"));
  // Another tenant may use the same extension number, and the same DID too (a call finds its
  // tenant by its key and domain first, so a DID held elsewhere is neither squatted nor told
  // of); within a tenant a DID is unique.
  EXPECT_EQ(rival_->post("/api/v1/extensions", {{"number", "5555"}}).status, 201);
  auto did = owner_->post("/api/v1/phone-numbers",
                          {{"number", "+12125559000"}, {"destination", {{"type", "hangup"}}}});
  EXPECT_EQ(did.status, 201) << did.body.dump();
  auto theirs = rival_->post("/api/v1/phone-numbers",
                             {{"number", "+12125559000"}, {"destination", {{"type", "hangup"}}}});
  EXPECT_EQ(theirs.status, 201) << theirs.body.dump();
  auto taken = owner_->post("/api/v1/phone-numbers",
                            {{"number", "+12125559000"}, {"destination", {{"type", "hangup"}}}});
  EXPECT_EQ(taken.status, 422);
  EXPECT_EQ(taken.fields()["number"][0], "already exists");
}

TEST_F(Admin, ListsPageWithAStableCursor) {
  std::set<std::string> mine;
  for (int i = 0; i < 7; ++i) mine.insert(new_extension());
  std::vector<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    auto page =
        owner_->get("/api/v1/extensions?limit=3" + (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(page.status, 200) << page.body.dump();
    EXPECT_LE(page.body["data"].size(), 3u);
    for (const auto& e : page.body["data"]) seen.push_back(e["id"]);
    if (pages == 0) new_extension();  // a row arriving mid-listing shifts nothing seen
    cursor = page.body["next_cursor"].is_null() ? "" : page.body["next_cursor"].get<std::string>();
    ++pages;
  } while (!cursor.empty() && pages < 50);
  std::set<std::string> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), seen.size()) << "no row twice";
  for (const auto& id : mine) EXPECT_TRUE(unique.count(id)) << id;
  EXPECT_EQ(std::to_string(seen.size()),
            scalar("SELECT count(*) FROM extensions WHERE tenant_id = '" + a_->id + "'"));
  EXPECT_EQ(owner_->get("/api/v1/extensions?limit=0").fields()["limit"].size(), 1u);
  EXPECT_EQ(owner_->get("/api/v1/extensions?limit=501").status, 422);
  EXPECT_TRUE(owner_->get("/api/v1/extensions?cursor=garbage").fields().contains("cursor"));
  EXPECT_TRUE(owner_->get("/api/v1/extensions?sort=up").fields().contains("sort"));
}

TEST_F(Admin, DestinationsMustExistInTheSameTenant) {
  auto theirs = rival_->post("/api/v1/extensions", {{"number", "777"}}).id();
  auto r = owner_->post(
      "/api/v1/phone-numbers",
      {{"number", "+12125559001"}, {"destination", {{"type", "extension"}, {"id", theirs}}}});
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.fields()["destination"][0], "no such extension");
  auto missing = owner_->post(
      "/api/v1/ivr-menus",
      {{"name", "Menu"},
       {"prompt", {{"say", "Hi"}}},
       {"options", json::array({{{"digits", "1"},
                                 {"destination",
                                  {{"type", "ring_group"},
                                   {"id", "00000000-0000-4000-8000-000000000000"}}}}})},
       {"failover", {{"type", "voicemail"}, {"id", theirs}}}});
  EXPECT_EQ(missing.status, 422);
  EXPECT_TRUE(missing.fields().contains("options"));
  EXPECT_TRUE(missing.fields().contains("failover"));
  auto shape = owner_->post("/api/v1/phone-numbers",
                            {{"number", "+12125559002"}, {"destination", {{"type", "teleport"}}}});
  EXPECT_TRUE(shape.fields().contains("destination"));
  auto members =
      owner_->post("/api/v1/ring-groups",
                   {{"name", "G"}, {"members", json::array({{{"extension_id", theirs}}})}});
  EXPECT_EQ(members.status, 422);
  EXPECT_TRUE(members.fields().contains("members"));
}

TEST_F(Admin, RingGroupsMenusAndHoursRoundTrip) {
  auto e1 = new_extension(), e2 = new_extension();
  auto group = owner_->post("/api/v1/ring-groups",
                            {{"name", "Sales"},
                             {"strategy", "sequential"},
                             {"ring_turns", 2},
                             {"members", json::array({{{"extension_id", e2}, {"priority", 1}},
                                                      {{"extension_id", e1}, {"priority", 2}}})},
                             {"fallback", {{"type", "voicemail"}, {"id", e1}}}});
  ASSERT_EQ(group.status, 201) << group.body.dump();
  EXPECT_EQ(group.body["members"][0]["extension_id"], e2);
  EXPECT_EQ(group.body["members"].size(), 2u);
  auto regrouped = owner_->patch("/api/v1/ring-groups/" + group.id(),
                                 {{"members", json::array({{{"extension_id", e1}}})}});
  EXPECT_EQ(regrouped.body["members"].size(), 1u);

  auto menu = owner_->post(
      "/api/v1/ivr-menus",
      {{"name", "Main"},
       {"prompt", {{"say", "Press 1"}, {"voice", "woman"}}},
       {"options",
        json::array(
            {{{"digits", "1"}, {"destination", {{"type", "ring_group"}, {"id", group.id()}}}}})}});
  ASSERT_EQ(menu.status, 201) << menu.body.dump();
  EXPECT_EQ(menu.body["max_attempts"], 3);
  auto bad_menu =
      owner_->post("/api/v1/ivr-menus", {{"name", "Bad"},
                                         {"prompt", {{"say", "x"}, {"play_url", "y"}}},
                                         {"options", json::array({{{"digits", "1x"}}})}});
  EXPECT_TRUE(bad_menu.fields().contains("prompt"));
  EXPECT_TRUE(bad_menu.fields().contains("options"));

  json all_day = json::array({{{"start", "00:00"}, {"end", "24:00"}}});
  auto hours = owner_->post("/api/v1/business-hours",
                            {{"name", "Always"},
                             {"timezone", "Europe/London"},
                             {"weekly",
                              {{"mon", all_day},
                               {"tue", all_day},
                               {"wed", all_day},
                               {"thu", all_day},
                               {"fri", all_day},
                               {"sat", all_day},
                               {"sun", all_day}}},
                             {"open_destination", {{"type", "ivr_menu"}, {"id", menu.id()}}},
                             {"closed_destination", {{"type", "hangup"}}}});
  ASSERT_EQ(hours.status, 201) << hours.body.dump();
  EXPECT_EQ(hours.body["open_now"], true);
  auto bad_hours =
      owner_->post("/api/v1/business-hours",
                   {{"name", "Bad"},
                    {"timezone", "Mars/Olympus"},
                    {"weekly", {{"mon", json::array({{{"start", "9am"}, {"end", "17:00"}}})}}},
                    {"open_destination", {{"type", "hangup"}}},
                    {"closed_destination", {{"type", "hangup"}}}});
  EXPECT_EQ(bad_hours.status, 422);
  EXPECT_TRUE(bad_hours.fields().contains("timezone"));
  EXPECT_TRUE(bad_hours.fields().contains("weekly.mon[0].start")) << bad_hours.body.dump();
}

TEST_F(Admin, DeletingWhatIsInUseAnswers409WithTheReferences) {
  auto ext = new_extension();
  auto group =
      owner_->post("/api/v1/ring-groups",
                   {{"name", "Uses ext"}, {"members", json::array({{{"extension_id", ext}}})}});
  auto did = owner_->post(
      "/api/v1/phone-numbers",
      {{"number", "+12125559003"}, {"destination", {{"type", "ring_group"}, {"id", group.id()}}}});
  ASSERT_EQ(did.status, 201);
  auto busy_ext = owner_->del("/api/v1/extensions/" + ext);
  EXPECT_EQ(busy_ext.status, 409);
  EXPECT_EQ(busy_ext.body["error"]["code"], "conflict");
  EXPECT_EQ(busy_ext.body["error"]["details"]["referenced_by"][0]["type"], "ring_group");
  auto busy_group = owner_->del("/api/v1/ring-groups/" + group.id());
  EXPECT_EQ(busy_group.status, 409);
  EXPECT_EQ(busy_group.body["error"]["details"]["referenced_by"][0]["id"], did.id());
  EXPECT_EQ(owner_->del("/api/v1/phone-numbers/" + did.id()).status, 204);
  EXPECT_EQ(owner_->del("/api/v1/ring-groups/" + group.id()).status, 204);
  EXPECT_EQ(owner_->del("/api/v1/extensions/" + ext).status, 204);
}

TEST_F(Admin, RoutingUsesAdminChangesWithinASecond) {
  auto ext = new_extension({{"ring_timeout", 33}});
  auto did = owner_->post(
      "/api/v1/phone-numbers",
      {{"number", "+12125559004"}, {"destination", {{"type", "extension"}, {"id", ext}}}});
  ASSERT_EQ(did.status, 201);
  VoiceClient voice(svc_->base_url(), a_->requests_api_key, "");
  auto number = owner_->get("/api/v1/extensions/" + ext).body["number"].get<std::string>();
  std::string summary;
  eventually(
      [&] {
        summary = voice.route({{"CallSid", "adm"}, {"To", "+12125559004"}}).summary();
        return summary == "Dial[Number:" + number + "]";
      },
      std::chrono::seconds(1));
  EXPECT_EQ(summary, "Dial[Number:" + number + "]");
}

TEST_F(Admin, VoicemailsAreListedMarkedReadAndScopedToTheirUser) {
  auto mine = new_extension({{"user_id", user_ids_["user"]}, {"voicemail_enabled", true}});
  auto other = new_extension();
  for (const auto& [ext, url] : {std::pair{mine, std::string("https://rec.example/1.mp3")},
                                 std::pair{other, std::string("https://rec.example/2.mp3")}}) {
    TestEnv::get().pg().execute(
        "INSERT INTO voicemails (tenant_id, extension_id, from_number, recording_url, duration)"
        " VALUES ('" +
        a_->id + "', '" + ext + "', '+14155550142', '" + url + "', 12)");
  }
  auto all = owner_->get("/api/v1/voicemails");
  ASSERT_EQ(all.status, 200);
  EXPECT_GE(all.body["data"].size(), 2u);
  auto own = as("user").get("/api/v1/voicemails");
  ASSERT_EQ(own.body["data"].size(), 1u) << own.body.dump();
  const auto& message = own.body["data"][0];
  EXPECT_EQ(message["extension_id"], mine);
  EXPECT_EQ(message["from"], "+14155550142");
  EXPECT_EQ(message["read"], false);
  auto read =
      as("user").patch("/api/v1/voicemails/" + message["id"].get<std::string>(), {{"read", true}});
  EXPECT_EQ(read.body["read"], true);
  EXPECT_TRUE(
      as("user")
          .patch("/api/v1/voicemails/" + message["id"].get<std::string>(), {{"recording_url", "x"}})
          .fields()
          .contains("recording_url"));
  auto others =
      all.body["data"][0]["extension_id"] == mine ? all.body["data"][1] : all.body["data"][0];
  EXPECT_EQ(as("user").get("/api/v1/voicemails/" + others["id"].get<std::string>()).status, 404);
  EXPECT_EQ(as("user").del("/api/v1/voicemails/" + message["id"].get<std::string>()).status, 204);
  EXPECT_EQ(owner_->post("/api/v1/voicemails", json::object()).status, 405);
}

TEST_F(Admin, ConferenceRoomLifecycle) {
  auto created = owner_->post("/api/v1/conference-rooms", {{"name", "board.room-1"}});
  ASSERT_EQ(created.status, 201) << created.body.dump();
  auto id = created.id();
  EXPECT_EQ(created.body["name"], "board.room-1");
  EXPECT_TRUE(created.body["number"].is_null());
  EXPECT_EQ(created.body["max_participants"], 250);
  EXPECT_EQ(created.body["beep"], true);
  EXPECT_EQ(created.body["record"], false);
  EXPECT_EQ(created.body["updated_at"].get<std::string>().back(), 'Z');

  auto read = as("user").get("/api/v1/conference-rooms/" + id);
  EXPECT_EQ(read.status, 200);
  EXPECT_EQ(read.body, created.body);
  auto list = as("user").get("/api/v1/conference-rooms");
  ASSERT_EQ(list.status, 200);
  std::vector<std::string> listed;
  for (const auto& room : list.body["data"]) listed.push_back(room["id"]);
  EXPECT_NE(std::find(listed.begin(), listed.end(), id), listed.end());

  auto updated = as("admin").patch("/api/v1/conference-rooms/" + id,
                                   {{"number", "4401"}, {"max_participants", 12}, {"beep", false}});
  EXPECT_EQ(updated.status, 200) << updated.body.dump();
  EXPECT_EQ(updated.body["number"], "4401");
  EXPECT_EQ(updated.body["max_participants"], 12);
  EXPECT_EQ(updated.body["beep"], false);
  EXPECT_EQ(updated.body["name"], "board.room-1");

  EXPECT_EQ(as("user").post("/api/v1/conference-rooms", {{"name", "mine"}}).status, 403);
  EXPECT_EQ(as("user").del("/api/v1/conference-rooms/" + id).status, 403);
  EXPECT_EQ(as("reporter").get("/api/v1/conference-rooms").status, 403);
  EXPECT_EQ(rival_->get("/api/v1/conference-rooms/" + id).status, 404);
  EXPECT_EQ(rival_->patch("/api/v1/conference-rooms/" + id, {{"beep", true}}).status, 404);
  EXPECT_EQ(rival_->del("/api/v1/conference-rooms/" + id).status, 404);
  auto rivals_rooms = rival_->get("/api/v1/conference-rooms");
  for (const auto& room : rivals_rooms.body["data"]) {
    EXPECT_NE(room["id"], id);
  }
  // Names and numbers are per tenant.
  EXPECT_EQ(rival_->post("/api/v1/conference-rooms", {{"name", "board.room-1"}, {"number", "4401"}})
                .status,
            201);

  EXPECT_EQ(owner_->del("/api/v1/conference-rooms/" + id).status, 204);
  EXPECT_EQ(owner_->get("/api/v1/conference-rooms/" + id).status, 404);
  EXPECT_EQ(owner_->del("/api/v1/conference-rooms/" + id).status, 404);

  auto doc = owner_->get("/api/v1/openapi.json").body;
  for (const char* path : {"/api/v1/conference-rooms", "/api/v1/conference-rooms/{id}"}) {
    ASSERT_TRUE(doc["paths"].contains(path)) << path;
    EXPECT_FALSE(doc["paths"][path]["get"].contains("x-undocumented")) << path;
  }
  EXPECT_TRUE(
      doc["components"]["schemas"]["conference_rooms"]["properties"].contains("max_participants"));
}

TEST_F(Admin, ConferenceRoomNamesAndNumbersAreChecked) {
  auto bad = owner_->post(
      "/api/v1/conference-rooms",
      {{"name", "board room"}, {"number", "1"}, {"max_participants", 251}, {"record", "yes"}});
  ASSERT_EQ(bad.status, 422);
  for (const char* f : {"name", "number", "max_participants", "record"}) {
    EXPECT_TRUE(bad.fields().contains(f)) << f << " in " << bad.body.dump();
  }
  EXPECT_EQ(owner_->post("/api/v1/conference-rooms", {{"name", std::string(65, 'a')}}).status, 422);
  EXPECT_EQ(owner_->post("/api/v1/conference-rooms", json::object()).fields()["name"][0],
            "required");

  auto ext = new_extension();
  auto ext_number = owner_->get("/api/v1/extensions/" + ext).body["number"].get<std::string>();
  auto clash =
      owner_->post("/api/v1/conference-rooms", {{"name", "clash"}, {"number", ext_number}});
  EXPECT_EQ(clash.status, 422);
  EXPECT_EQ(clash.fields()["number"][0], "already exists (used by a extension)");

  auto room = owner_->post("/api/v1/conference-rooms", {{"name", "unique"}, {"number", "4402"}});
  ASSERT_EQ(room.status, 201) << room.body.dump();
  auto same_name = owner_->post("/api/v1/conference-rooms", {{"name", "unique"}});
  EXPECT_EQ(same_name.status, 422);
  EXPECT_EQ(same_name.fields()["name"][0], "already exists");
  auto ext_clash = owner_->post("/api/v1/extensions", {{"number", "4402"}});
  EXPECT_EQ(ext_clash.status, 422);
  EXPECT_NE(ext_clash.fields()["number"][0].get<std::string>().find("conference_room"),
            std::string::npos);
  // Saving a room with its own number is no clash.
  EXPECT_EQ(owner_->patch("/api/v1/conference-rooms/" + room.id(), {{"number", "4402"}}).status,
            200);
}

TEST_F(Admin, RoutingJoinsConferenceRoomsWithTheirSettings) {
  auto room = owner_->post(
      "/api/v1/conference-rooms",
      {{"name", "weekly"}, {"number", "4403"}, {"max_participants", 7}, {"record", true}});
  ASSERT_EQ(room.status, 201) << room.body.dump();
  auto did = owner_->post(
      "/api/v1/phone-numbers",
      {{"number", "+12125559005"}, {"destination", {{"type", "conference"}, {"name", "weekly"}}}});
  ASSERT_EQ(did.status, 201) << did.body.dump();

  VoiceClient voice(svc_->base_url(), a_->requests_api_key, "");
  auto joined = voice.route({{"CallSid", "room-in"}, {"To", "+12125559005"}});
  EXPECT_EQ(joined.summary(), "Dial[Conference:weekly]") << joined.raw;
  EXPECT_EQ(joined.attr("/Response/Dial/Conference", "maxParticipants"), "7");
  EXPECT_EQ(joined.attr("/Response/Dial/Conference", "beep"), "true");
  EXPECT_EQ(joined.attr("/Response/Dial/Conference", "record"), "record-from-start");

  auto caller = owner_->get("/api/v1/extensions/" + new_extension()).body["number"];
  auto dialled = voice.route({{"CallSid", "room-sub"},
                              {"From", caller.get<std::string>()},
                              {"To", "4403"},
                              {"Direction", "subscriber"}});
  EXPECT_EQ(dialled.summary(), "Dial[Conference:weekly]") << dialled.raw;
  EXPECT_EQ(dialled.attr("/Response/Dial/Conference", "maxParticipants"), "7");

  ASSERT_EQ(
      owner_->patch("/api/v1/conference-rooms/" + room.id(), {{"beep", false}, {"record", false}})
          .status,
      200);
  auto changed = voice.route({{"CallSid", "room-in-2"}, {"To", "+12125559005"}});
  EXPECT_EQ(changed.attr("/Response/Dial/Conference", "beep"), "false");
  EXPECT_EQ(changed.attr("/Response/Dial/Conference", "record"), "");

  // The number names the room: it can be neither renamed nor deleted under it.
  auto rename = owner_->patch("/api/v1/conference-rooms/" + room.id(), {{"name", "monthly"}});
  EXPECT_EQ(rename.status, 422);
  EXPECT_TRUE(rename.fields().contains("name"));
  auto busy = owner_->del("/api/v1/conference-rooms/" + room.id());
  EXPECT_EQ(busy.status, 409);
  EXPECT_EQ(busy.body["error"]["code"], "conflict");
  EXPECT_EQ(busy.body["error"]["details"]["referenced_by"][0]["type"], "phone_number");
  EXPECT_EQ(busy.body["error"]["details"]["referenced_by"][0]["id"], did.id());
  auto menu = owner_->post(
      "/api/v1/ivr-menus",
      {{"name", "Rooms"},
       {"prompt", {{"say", "Press 1"}}},
       {"options",
        json::array(
            {{{"digits", "1"}, {"destination", {{"type", "conference"}, {"name", "weekly"}}}}})}});
  ASSERT_EQ(menu.status, 201) << menu.body.dump();
  EXPECT_EQ(owner_->del("/api/v1/phone-numbers/" + did.id()).status, 204);
  auto still = owner_->del("/api/v1/conference-rooms/" + room.id());
  EXPECT_EQ(still.status, 409);
  EXPECT_EQ(still.body["error"]["details"]["referenced_by"][0]["id"], menu.id());
  EXPECT_EQ(owner_->del("/api/v1/ivr-menus/" + menu.id()).status, 204);
  EXPECT_EQ(owner_->del("/api/v1/conference-rooms/" + room.id()).status, 204);
}

}  // namespace
}  // namespace pbx::testing
