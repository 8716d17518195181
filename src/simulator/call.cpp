#include "simulator/call.hpp"

#include "core/crypto.hpp"
#include "core/log.hpp"
#include "core/url.hpp"
#include "simulator/cxml_reader.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <optional>

namespace pbx::simulator {

namespace {

using Kind = Verb::Kind;
using Params = nlohmann::json;

// Virtual durations, in seconds, of what takes time on a real call.
constexpr int kRingBeforeAnswer = 3;
constexpr int kBusyOrFailed = 1;
constexpr int kDefaultDialTimeout = 60;  // Cloudonix's domain call-timeout
constexpr int kPlaySeconds = 3;
constexpr int kMessageSeconds = 10;

int say_seconds(const std::string& text) {
  int words = 0;
  bool in_word = false;
  for (char c : text) {
    bool space = c == ' ' || c == '\n' || c == '\t';
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return std::max(1, (words * 2 + 4) / 5);  // about 150 words a minute
}

class Call {
 public:
  Call(const CallSetup& setup, const Script& script, const Transport& http)
      : setup_(setup), script_(script), http_(http) {
    auto& c = report_.call;
    c.session = setup.session.empty() ? crypto::to_hex(crypto::random_bytes(16)) : setup.session;
    c.call_id = c.session + "@simulator.invalid";
    c.domain = setup.domain;
    c.from = setup.from;
    c.to = setup.to;
    c.direction = setup.direction;
    c.application = "pbx-simulator";
    c.start_ms = setup.start_ms ? setup.start_ms
                                : std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count();
  }

  Report run() {
    note("call", setup_.from + " -> " + setup_.to + " (" + setup_.direction + ")");
    webhook_update("ringing");
    auto verbs = fetch("POST", service("/api/voice/route"), {}, "voice request");
    while (verbs) verbs = execute(*verbs);
    finish();
    return std::move(report_);
  }

 private:
  // Runs a document; returns the next one when a verb hands over to a URL.
  std::optional<std::vector<Verb>> execute(const std::vector<Verb>& verbs) {
    for (const auto& v : verbs) {
      if (!step()) return std::nullopt;
      switch (v.kind) {
        case Kind::say:
        case Kind::play:
        case Kind::pause:
          prompt(v);
          break;
        case Kind::gather:
          if (auto next = gather(v)) return next;
          if (ended_) return std::nullopt;
          break;
        case Kind::dial:
          if (auto next = dial(v)) return next;
          if (ended_) return std::nullopt;
          break;
        case Kind::record:
          if (auto next = record(v)) return next;
          if (ended_) return std::nullopt;
          break;
        case Kind::redirect:
          note("Redirect", v.text);
          return fetch(v.method, v.text, {}, "redirect");
        case Kind::hangup:
          note("Hangup", "");
          return std::nullopt;
        case Kind::reject:
          rejected_ = v.text;
          note("Reject", v.text);
          return std::nullopt;
      }
    }
    note("end of document", "the call is hung up");
    return std::nullopt;
  }

  void prompt(const Verb& v) {
    if (v.kind == Kind::say) {
      note("Say", v.text);
      advance(say_seconds(v.text));
    } else if (v.kind == Kind::play) {
      note("Play", v.text);
      advance(kPlaySeconds);
    } else {
      note("Pause", std::to_string(v.timeout) + " s");
      advance(v.timeout);
    }
  }

  std::optional<std::vector<Verb>> gather(const Verb& v) {
    for (const auto& p : v.prompts) prompt(p);
    std::string digits;
    if (digit_index_ < script_.digits.size()) digits = script_.digits[digit_index_++];
    if (digits.empty()) {
      note("Gather", "no input for " + std::to_string(v.timeout) + " s");
      advance(v.timeout);
      if (v.action.empty() || !v.action_on_empty_result) return std::nullopt;
    } else {
      note("Gather", "caller presses " + digits);
      advance(static_cast<int>(digits.size()));
      if (v.action.empty()) return std::nullopt;
    }
    return fetch(v.method, v.action, {{"Digits", digits}}, "gather action");
  }

  std::optional<std::vector<Verb>> dial(const Verb& v) {
    DialOutcome outcome;
    if (dial_index_ < script_.dials.size()) outcome = script_.dials[dial_index_++];
    std::string targets;
    for (const auto& t : v.targets) {
      targets += (targets.empty() ? "" : ", ") + t;
      if (setup_.number_note && t.rfind("Number:", 0) == 0) {
        targets += " (" + setup_.number_note(t.substr(7)) + ")";
      }
    }
    note("Dial", targets + ": " + outcome.describe());
    switch (outcome.kind) {
      case DialOutcome::Kind::answer:
        advance(kRingBeforeAnswer);
        if (!report_.call.answer_ms) {
          report_.call.answer_ms = now_ms();
          webhook_update("connected");
        }
        advance(outcome.seconds);
        break;
      case DialOutcome::Kind::no_answer:
        advance(v.timeout ? v.timeout : kDefaultDialTimeout);
        break;
      case DialOutcome::Kind::busy:
      case DialOutcome::Kind::failed:
        advance(kBusyOrFailed);
        break;
    }
    last_dial_ = outcome;
    if (v.action.empty()) return std::nullopt;
    std::string status(outcome.dial_status());
    Params extra{{"DialCallStatus", status}, {"CallStatus", status}};
    if (outcome.kind == DialOutcome::Kind::answer) extra["DialCallDuration"] = outcome.seconds;
    return fetch(v.method, v.action, extra, "dial action");
  }

  std::optional<std::vector<Verb>> record(const Verb& v) {
    recorded_ = true;
    if (!script_.voicemail.value_or(false)) {
      note("Record", "silence: nothing recorded");
      advance(v.timeout);
      return std::nullopt;  // an empty recording skips the action
    }
    note("Record", std::to_string(kMessageSeconds) + " s message");
    advance(kMessageSeconds);
    if (v.action.empty()) return std::nullopt;
    Params extra{
        {"RecordingUrl", "https://recordings.simulator.invalid/" + report_.call.session + ".mp3"},
        {"RecordingDuration", std::to_string(kMessageSeconds)}};
    return fetch(v.method, v.action, extra, "record action");
  }

  std::optional<std::vector<Verb>> fetch(const std::string& method, const std::string& url,
                                         const Params& extra, const std::string& what) {
    if (!step()) return std::nullopt;
    const auto& c = report_.call;
    Params params = cloudonix::voice_parameters(c);
    params["CallStatus"] = c.answer_ms ? "in-progress" : "ringing";
    if (extra.is_object()) params.update(extra);
    HttpRequest req{method, rebase_url(url, setup_.url), "", {}};
    req.headers = {{"Authorization", "Bearer " + setup_.key}, {"X-CX-Domain", c.domain}};
    if (method == "GET") {
      req.url += req.url.find('?') == std::string::npos ? '?' : '&';
      url::Params query;
      for (const auto& [k, v] : params.items()) {
        query.emplace_back(k, v.is_string() ? v.get<std::string>() : v.dump());
      }
      req.url += url::encode_form(query);
    } else {
      req.body = params.dump();
      req.headers.emplace_back("Content-Type", "application/json");
    }
    auto answer = http_(req);
    auto& e = note(what, "", req.method, req.url, answer.status);
    if (answer.status != 200) {
      e.detail = answer.status ? "the service answered " + std::to_string(answer.status)
                               : "no answer: " + answer.error;
      problem(e, what + ": " + e.detail);
      ended_ = true;
      return std::nullopt;
    }
    try {
      return read_cxml(answer.body);
    } catch (const CxmlError& err) {
      e.detail = std::string("invalid CXML: ") + err.what();
      problem(e, "invalid CXML from " + req.url + ": " + err.what());
      report_.invalid_cxml = true;
      ended_ = true;
      return std::nullopt;
    }
  }

  void finish() {
    auto& c = report_.call;
    c.end_ms = now_ms();
    report_.status = terminal_status(c.answer_ms != 0, rejected_,
                                     last_dial_ ? std::optional(last_dial_->kind) : std::nullopt);
    report_.disposition = cloudonix::cdr_disposition(report_.status);
    report_.duration = (c.end_ms - c.start_ms) / 1000;
    report_.billsec = c.answer_ms ? (c.end_ms - c.answer_ms) / 1000 : 0;
    webhook_update(report_.status);
    if (setup_.webhooks) {
      send_webhook("cdr", WebhookKind::cdr, cloudonix::cdr(c, report_.disposition, report_.status));
    }
    check_script_used();
  }

  void check_script_used() {
    Event* last = &report_.timeline.back();
    if (digit_index_ < script_.digits.size()) {
      std::string left;
      for (auto i = digit_index_; i < script_.digits.size(); ++i) {
        left += (left.empty() ? "" : ",") + script_.digits[i];
      }
      problem(*last, "scripted digits left unused (the call ended first): " + left);
    }
    if (dial_index_ < script_.dials.size()) {
      problem(*last, "scripted Dial outcomes left unused: " +
                         std::to_string(script_.dials.size() - dial_index_));
    }
    if (script_.voicemail.value_or(false) && !recorded_) {
      problem(*last, "a voicemail message was scripted but no Record came");
    }
  }

  void webhook_update(const std::string& status) {
    if (!setup_.webhooks) return;
    send_webhook("session-update " + status, WebhookKind::session_update,
                 cloudonix::session_update(report_.call, status, now_ms(), crypto::uuid_v4()));
  }

  void send_webhook(const std::string& what, WebhookKind kind, const nlohmann::json& body) {
    auto unix_now = std::chrono::duration_cast<std::chrono::seconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    auto text = body.dump();
    auto sent =
        webhook_request(kind, {setup_.auth, setup_.key, setup_.secret, setup_.token, setup_.domain},
                        text, unix_now);
    HttpRequest req{"POST", service(sent.path), std::move(text), std::move(sent.headers)};
    auto answer = http_(req);
    // The timeline shows the URL without the webhook token.
    auto& e = note(what, "", req.method, log::redact(req.url), answer.status);
    if (answer.status != 200) {
      e.detail = answer.status ? answer.body : "no answer: " + answer.error;
      problem(e, what + ": " + (answer.status ? std::to_string(answer.status) : e.detail));
    }
  }

  bool step() {
    if (++steps_ <= kMaxSteps) return true;
    auto& e = note("loop guard", "more than " + std::to_string(kMaxSteps) + " steps");
    problem(e, "the call was cut after " + std::to_string(kMaxSteps) + " steps: a loop?");
    ended_ = true;
    return false;
  }

  Event& note(const std::string& what, const std::string& detail, const std::string& method = "",
              const std::string& url = "", int status = 0) {
    report_.timeline.push_back({offset_, what, detail, method, url, status, false});
    return report_.timeline.back();
  }

  void problem(Event& e, std::string message) {
    e.problem = true;
    report_.problems.push_back(std::move(message));
  }

  std::string service(const std::string& path) const {
    std::string base = setup_.url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base + path;
  }

  void advance(int seconds) { offset_ += std::int64_t{seconds} * 1000; }
  std::int64_t now_ms() const { return report_.call.start_ms + offset_; }

  const CallSetup& setup_;
  const Script& script_;
  const Transport& http_;
  Report report_;
  std::int64_t offset_ = 0;
  int steps_ = 0;
  size_t digit_index_ = 0;
  size_t dial_index_ = 0;
  bool recorded_ = false;
  bool ended_ = false;
  std::optional<DialOutcome> last_dial_;
  std::optional<std::string> rejected_;
};

}  // namespace

Report simulate_call(const CallSetup& setup, const Script& script, const Transport& http) {
  return Call(setup, script, http).run();
}

}  // namespace pbx::simulator
