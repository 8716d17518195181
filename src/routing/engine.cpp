#include "routing/engine.hpp"

#include <algorithm>
#include <string>
#include <string_view>

namespace pbx::routing {

namespace {

// Destinations followed within one request before giving up: deeper chains are faults.
constexpr size_t kMaxChain = 8;
constexpr int kVoicemailMaxLength = 120;

// At most 64 printable ASCII characters of a value the caller sent, for a log line: another
// character becomes '?', so that no line can be forged or made to run on.
std::string loggable(std::string_view value) {
  constexpr size_t kMax = 64;
  std::string out(value.substr(0, kMax));
  for (auto& c : out) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7e) c = '?';
  }
  if (value.size() > kMax) out += "...";
  return out;
}

cxml::Target target_for(const std::string& address) {
  bool sip = address.rfind("sip:", 0) == 0 || address.rfind("sips:", 0) == 0;
  return {sip ? cxml::Target::Kind::sip : cxml::Target::Kind::number, address};
}

std::string describe(const Destination& d) {
  return std::string(type_name(d.type)) + (d.ref.empty() ? "" : ":" + d.ref);
}

// Builds the answer of one request: follows destinations, emits verbs, records faults.
class Flow {
 public:
  Flow(const Context& ctx, const CallRequest& call) : ctx_(ctx), call_(call), t_(ctx.tenant) {}

  Outcome finish() { return std::move(out_); }

  void say(std::string_view text) { out_.document.add(cxml::Say{std::string(text), {}, {}}); }
  void hangup() { out_.document.add(cxml::Hangup{}); }
  void apologise() {
    say(text::apology);
    hangup();
  }
  void fail(std::string problem) {
    out_.problems.push_back(std::move(problem));
    apologise();
  }

  void follow(const Destination& d) {
    auto key = describe(d);
    if (std::find(chain_.begin(), chain_.end(), key) != chain_.end() ||
        chain_.size() >= kMaxChain) {
      std::string path;
      for (const auto& k : chain_) path += k + " -> ";
      return fail("destination loop or chain too long: " + path + key);
    }
    chain_.push_back(key);
    switch (d.type) {
      case DestinationType::extension:
        if (const auto* e = t_.extension(d.ref)) return extension(*e);
        break;
      case DestinationType::ring_group:
        if (auto it = t_.ring_groups.find(d.ref); it != t_.ring_groups.end()) {
          return start_ring_group(it->second);
        }
        break;
      case DestinationType::ivr_menu:
        if (auto it = t_.ivr_menus.find(d.ref); it != t_.ivr_menus.end()) {
          return menu(it->second, 1);
        }
        break;
      case DestinationType::voicemail:
        if (const auto* e = t_.extension(d.ref)) return voicemail(*e);
        break;
      case DestinationType::business_hours:
        if (auto it = t_.business_hours.find(d.ref); it != t_.business_hours.end()) {
          return business_hours(it->second);
        }
        break;
      case DestinationType::conference:
        return conference(d.ref);
      case DestinationType::forward:
        out_.document.add(cxml::Dial{{}, 0, {}, {target_for(d.ref)}});
        return;
      case DestinationType::hangup:
        return hangup();
    }
    fail("dangling destination: " + key);
  }

  void enter(const Destination& d) {
    auto key = describe(d);
    if (std::find(chain_.begin(), chain_.end(), key) == chain_.end()) chain_.push_back(key);
  }

  void extension(const Extension& e) {
    if (!e.active) return extension_unavailable(e);
    cxml::Dial dial{action("dial-status", Destination{DestinationType::extension, e.id}),
                    e.ring_timeout,
                    {},
                    {ring_target(e)}};
    out_.document.add(std::move(dial));
  }

  void extension_unavailable(const Extension& e) {
    if (e.voicemail_enabled) return voicemail(e);
    apologise();
  }

  void voicemail(const Extension& e) {
    if (!e.voicemail_greeting.empty()) {
      say(e.voicemail_greeting);
    } else {
      std::string who =
          e.name.empty() ? "extension " + e.number : e.name + " at extension " + e.number;
      say("You have reached " + who + ". " + std::string(text::leave_message));
    }
    out_.document.add(
        cxml::Record{action("voicemail", Destination{DestinationType::voicemail, e.id}),
                     kVoicemailMaxLength, true, "#"});
    say(text::no_message);
    hangup();
  }

  void start_ring_group(const RingGroup& g) {
    auto members = active_members(g);
    if (members.empty()) return ring_group_fallback(g);
    int start = 0;
    if (g.strategy == Strategy::round_robin && ctx_.next_rotation) {
      start = static_cast<int>(ctx_.next_rotation(g) % static_cast<long long>(members.size()));
    }
    ring(g, members, 0, 1, start);
  }

  void ring(const RingGroup& g, const std::vector<const Extension*>& members, int position,
            int turn, int start) {
    CallbackState s;
    s.destination = {DestinationType::ring_group, g.id};
    s.position = position;
    s.turn = turn;
    s.start = start;
    cxml::Dial dial{action("dial-status", s), g.ring_timeout, {}, {}};
    if (g.strategy == Strategy::simultaneous) {
      for (const auto* m : members) dial.targets.push_back(ring_target(*m));
    } else {
      auto n = static_cast<int>(members.size());
      dial.targets.push_back(ring_target(*members[static_cast<size_t>((start + position) % n)]));
    }
    out_.document.add(std::move(dial));
  }

  void ring_group_next(const RingGroup& g, const CallbackState& s) {
    auto members = active_members(g);
    if (members.empty()) return ring_group_fallback(g);
    auto n = static_cast<int>(members.size());
    bool one_at_a_time = g.strategy != Strategy::simultaneous;
    if (one_at_a_time && s.position + 1 < n)
      return ring(g, members, s.position + 1, s.turn, s.start);
    if (s.turn < g.ring_turns) return ring(g, members, 0, s.turn + 1, s.start);
    ring_group_fallback(g);
  }

  void ring_group_fallback(const RingGroup& g) {
    // From a callback the group is not on the chain yet; a fallback to itself is a loop.
    enter({DestinationType::ring_group, g.id});
    if (g.fallback) return follow(*g.fallback);
    apologise();
  }

  void menu(const IvrMenu& m, int attempt) {
    CallbackState s;
    s.destination = {DestinationType::ivr_menu, m.id};
    s.attempt = attempt;
    cxml::Gather gather{action("gather", s), 1, m.digit_timeout, true, {}};
    for (const auto& o : m.options) {
      gather.num_digits = std::max(gather.num_digits, static_cast<int>(o.digits.size()));
    }
    if (!m.prompt.play_url.empty()) {
      gather.prompts.emplace_back(cxml::Play{m.prompt.play_url});
    } else {
      std::string say = m.prompt.say.empty() ? std::string(text::default_menu) : m.prompt.say;
      gather.prompts.emplace_back(cxml::Say{say, m.prompt.voice, m.prompt.language});
    }
    out_.document.add(std::move(gather));
  }

  void menu_answer(const IvrMenu& m, const CallbackState& s) {
    std::string digits = call_.digits;
    if (!digits.empty() && digits.back() == '#') digits.pop_back();
    // An option may lead back to its menu (the caller chose it); the timeout and failover
    // destinations must not, or the menu would never end.
    enter({DestinationType::ivr_menu, m.id});
    if (digits.empty() && m.timeout_destination) return follow(*m.timeout_destination);
    if (!digits.empty()) {
      for (const auto& o : m.options) {
        if (o.digits == digits) {
          chain_.clear();
          return follow(o.destination);
        }
      }
      say(m.invalid_prompt.empty() ? std::string(text::invalid_choice) : m.invalid_prompt);
    }
    if (s.attempt < m.max_attempts) return menu(m, s.attempt + 1);
    if (m.failover) return follow(*m.failover);
    apologise();
  }

  void business_hours(const BusinessHoursRule& b) {
    if (!b.schedule) out_.problems.push_back("unusable schedule, treated as closed: " + b.id);
    bool open = b.schedule && is_open(*b.schedule, ctx_.now);
    follow(open ? b.open_destination : b.closed_destination);
  }

  void conference(const std::string& name) {
    cxml::Target room{cxml::Target::Kind::conference, name};
    if (auto it = t_.conferences.find(name); it != t_.conferences.end()) {
      room.max_participants = it->second.max_participants;
      room.beep = it->second.beep;
      room.record = it->second.record;
    }
    out_.document.add(cxml::Dial{{}, 0, {}, {room}});
  }

  // A call from inside the tenant (subscriber or API) to what `To` names.
  void internal_call(bool check_permission) {
    std::string to(sip_user(call_.to));
    if (const auto* e = t_.extension_by_number(to))
      return follow({DestinationType::extension, e->id});
    if (auto it = t_.internal_numbers.find(to); it != t_.internal_numbers.end()) {
      return follow(it->second);
    }
    if (const auto* did = t_.phone_number(to); did && did->active) return follow(did->destination);
    auto digits = number_digits(to);
    if (digits.size() < 7 || digits.size() > 15) {
      say(text::not_in_service);
      return hangup();
    }
    std::string caller_id = t_.default_caller_id;
    if (check_permission) {
      const auto* caller = t_.extension_by_number(std::string(sip_user(call_.from)));
      if (!caller || !caller->active || !caller->outbound_allowed) {
        say(text::not_allowed);
        return hangup();
      }
      if (!caller->caller_id.empty()) caller_id = caller->caller_id;
    }
    std::string number = (to.front() == '+' ? "+" : "") + digits;
    out_.document.add(cxml::Dial{{}, 0, caller_id, {{cxml::Target::Kind::number, number}}});
  }

  void reject() { out_.document.add(cxml::Reject{}); }

  std::vector<const Extension*> active_members(const RingGroup& g) const {
    std::vector<const Extension*> members;
    for (const auto& id : g.members) {
      if (const auto* e = t_.extension(id); e && e->active) members.push_back(e);
    }
    return members;
  }

  std::string action(std::string_view callback, const Destination& d) {
    CallbackState s;
    s.destination = d;
    return action(callback, s);
  }

  std::string action(std::string_view callback, CallbackState s) {
    s.tenant_id = t_.tenant_id;
    s.call_id = call_.call_id;
    std::string base = t_.public_base_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base + "/api/voice/" + std::string(callback) +
           "?state=" + ctx_.codec.encode(s, ctx_.now);
  }

  Outcome& outcome() { return out_; }

 private:
  static cxml::Target ring_target(const Extension& e) {
    return e.forward_to.empty() ? cxml::Target{cxml::Target::Kind::number, e.number}
                                : target_for(e.forward_to);
  }

  const Context& ctx_;
  const CallRequest& call_;
  const TenantSnapshot& t_;
  std::vector<std::string> chain_;
  Outcome out_;
};

}  // namespace

cxml::Document apology() {
  cxml::Document doc;
  doc.add(cxml::Say{std::string(text::apology), {}, {}}).add(cxml::Hangup{});
  return doc;
}

Outcome route_call(const Context& ctx, const CallRequest& call) {
  Flow flow(ctx, call);
  switch (call.direction) {
    case Direction::inbound: {
      const auto* did = ctx.tenant.phone_number(call.to);
      if (!did || !did->active) {
        flow.outcome().problems.push_back("not a number of this tenant: " + call.to);
        flow.reject();
        break;
      }
      flow.follow(did->destination);
      break;
    }
    case Direction::subscriber:
      flow.internal_call(true);
      break;
    case Direction::outbound_api:
      flow.internal_call(false);
      break;
  }
  return flow.finish();
}

Outcome continue_call(const Context& ctx, Callback kind, const CallRequest& call,
                      std::string_view state_token) {
  Flow flow(ctx, call);
  auto state = ctx.codec.decode(state_token, ctx.now);
  if (!state || state->tenant_id != ctx.tenant.tenant_id || state->call_id != call.call_id) {
    flow.fail("callback state forged, expired or from another call");
    return flow.finish();
  }
  const auto& t = ctx.tenant;
  const auto& d = state->destination;
  switch (kind) {
    case Callback::gather:
      if (auto it = t.ivr_menus.find(d.ref);
          d.type == DestinationType::ivr_menu && it != t.ivr_menus.end()) {
        flow.menu_answer(it->second, *state);
        return flow.finish();
      }
      break;
    case Callback::dial_status: {
      auto result = dial_result(call.dial_status);
      if (result == DialResult::unrecognised) {
        flow.outcome().problems.push_back("unrecognised dial status \"" +
                                          loggable(call.dial_status) + "\", taken as not answered");
      }
      bool answered = result == DialResult::answered;
      if (d.type == DestinationType::extension) {
        const auto* e = t.extension(d.ref);
        if (answered) {
          flow.hangup();
        } else if (e) {
          flow.extension_unavailable(*e);
        } else {
          break;
        }
        return flow.finish();
      }
      if (auto it = t.ring_groups.find(d.ref);
          d.type == DestinationType::ring_group && it != t.ring_groups.end()) {
        answered ? flow.hangup() : flow.ring_group_next(it->second, *state);
        return flow.finish();
      }
      break;
    }
    case Callback::voicemail: {
      const auto* e = t.extension(d.ref);
      if (d.type != DestinationType::voicemail || !e) break;
      if (call.recording_url.empty()) {
        flow.say(text::no_message);
      } else {
        flow.outcome().voicemail = VoicemailMessage{
            t.tenant_id, e->id, call.from, call.recording_url, call.recording_duration,
            call.call_id};
        flow.say(text::message_saved);
      }
      flow.hangup();
      return flow.finish();
    }
  }
  flow.fail("callback for a destination that no longer exists: " + describe(d));
  return flow.finish();
}

}  // namespace pbx::routing
