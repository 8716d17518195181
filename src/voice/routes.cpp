#include "voice/routes.hpp"

#include "core/text.hpp"
#include "http/auth.hpp"
#include "http/json_body.hpp"
#include "routing/engine.hpp"
#include "voice/errors.hpp"
#include "voice/routing_store.hpp"

#include <spdlog/spdlog.h>

#include <memory>
#include <mutex>
#include <unordered_map>

namespace pbx::voice {

using http::Request;
using http::Response;
using http::Router;

namespace {

// Parameters from the query string and, for POST, from the JSON or form body (body wins).
url::Params call_params(const Request& req) {
  url::Params params = req.query;
  if (req.method != "POST" || req.body.empty()) return params;
  url::Params body;
  if (http::is_json_media_type(req.media_type())) {
    // Malformed JSON from an authenticated caller is routed with what the query holds.
    body = routing::params_from_json(req.body);
  } else {
    body = url::parse_form(req.body);
  }
  body.insert(body.end(), params.begin(), params.end());
  return body;
}

// Round robin across instances: Redis INCR; while Redis is down, a per-process counter keeps
// calls spread over the members.
class Rotation {
 public:
  explicit Rotation(store::RedisPool& redis) : redis_(redis) {}

  long long next(const std::string& tenant_id, const routing::RingGroup& group) {
    auto key = "pbx:rr:" + tenant_id + ":" + group.id;
    if (auto reply = redis_.command({"INCR", key});
        reply && reply->type == store::RedisReply::Type::integer) {
      return reply->integer - 1;
    }
    std::lock_guard lock(mutex_);
    return local_[key]++;
  }

 private:
  store::RedisPool& redis_;
  std::mutex mutex_;
  std::unordered_map<std::string, long long> local_;
};

struct Voice {
  explicit Voice(VoiceDeps d) : deps(d), rotation(d.redis) {}

  VoiceDeps deps;
  Rotation rotation;

  Response handle(Request& req, std::optional<routing::Callback> callback) {
    auto tenant =
        deps.directory.by_requests_key(requests_api_key(req), std::chrono::system_clock::now());
    if (!tenant) throw Error::unauthorized("missing or unknown requests API key");
    auto params = call_params(req);
    auto call = routing::parse_call(params);
    auto header_domain = req.header("x-cx-domain");
    for (std::string_view claimed :
         {std::string_view(call.domain), header_domain.value_or(std::string_view())}) {
      if (!claimed.empty() && !tenant->owns_domain(claimed)) {
        spdlog::warn("rid={} voice request for domain {} with the key of tenant {}", req.request_id,
                     claimed, tenant->tenant.id);
        throw Error::unauthorized("the key does not belong to this domain");
      }
    }
    if (!tenant->routing) {
      spdlog::error("rid={} tenant {} has no routing snapshot", req.request_id, tenant->tenant.id);
      return apology_response();
    }
    const auto& snapshot = *tenant->routing;
    routing::Context ctx{
        snapshot, deps.codec, std::chrono::system_clock::now(),
        [&](const routing::RingGroup& g) { return rotation.next(snapshot.tenant_id, g); }};
    routing::Outcome out;
    if (callback) {
      // The signed state is the `state` of the action URL's query string and nothing else:
      // Cloudonix appends the call's parameters to that query string on GET, and a body may
      // carry anything on POST.
      const auto* state = req.query_param("state");
      out = routing::continue_call(ctx, *callback, call, state ? *state : std::string());
    } else {
      out = routing::route_call(ctx, call);
    }
    for (const auto& problem : out.problems) {
      spdlog::warn("rid={} tenant={} call={} routing: {}", req.request_id, snapshot.tenant_id,
                   call.call_id, problem);
    }
    if (out.voicemail) {
      try {
        insert_voicemail(deps.pg, *out.voicemail);
      } catch (const std::exception& e) {
        spdlog::error("rid={} tenant={} call={} voicemail not stored: {}", req.request_id,
                      snapshot.tenant_id, call.call_id, e.what());
        return apology_response();
      }
    }
    return Response::xml(200, routing::cxml::render(out.document));
  }
};

}  // namespace

void add_voice_routes(Router& router, VoiceDeps deps) {
  auto voice = std::make_shared<Voice>(deps);
  using Kind = std::optional<routing::Callback>;
  struct Path {
    const char* path;
    Kind kind;
    const char* summary;
  };
  for (const auto& [path, kind, summary] :
       {Path{"/api/voice/route", Kind(), "A new call: CXML for the dialled destination"},
        Path{"/api/voice/gather", Kind(routing::Callback::gather), "IVR digits (Gather action)"},
        Path{"/api/voice/dial-status", Kind(routing::Callback::dial_status),
             "A Dial finished (Dial action)"},
        Path{"/api/voice/voicemail", Kind(routing::Callback::voicemail),
             "A voicemail recording finished"}}) {
    // Cloudonix fetches with either method: parameters in the query string on GET.
    for (const char* method : {"GET", "POST"}) {
      router.add(
          method, path, http::Doc{"execution", summary, http::Access::requests_key},
          [voice, kind = kind](Request& req) { return voice->handle(req, kind); },
          http::ErrorStyle::cxml, cxml_error_response);
    }
  }
}

}  // namespace pbx::voice
