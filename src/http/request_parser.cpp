#include "http/request_parser.hpp"

#include "core/error.hpp"
#include "core/text.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace pbx::http {

namespace P = Pistache;

namespace {

// Pistache's parser reserves memory for the declared Content-Length before reading the body (a
// lying header is an allocation of any size) and its chunked decoder does so for every chunk
// size. This step takes the place of its body step and refuses both before anything is read.
class LimitedBodyStep : public P::Http::Private::Step {
 public:
  LimitedBodyStep(P::Http::Request* request, std::unique_ptr<P::Http::Private::Step> body,
                  size_t max_body)
      : Step(request), body_(std::move(body)), max_body_(max_body) {}

  P::Http::Private::StepId id() const override { return body_->id(); }

  P::Http::Private::State apply(P::StreamCursor& cursor) override {
    const auto& headers = message->headers();
    if (headers.has<P::Http::Header::TransferEncoding>()) {
      throw Error::length_required();
    }
    if (auto length = headers.tryGet<P::Http::Header::ContentLength>();
        length && length->value() > max_body_) {
      throw Error::payload_too_large(max_body_);
    }
    return body_->apply(cursor);
  }

 private:
  std::unique_ptr<P::Http::Private::Step> body_;
  size_t max_body_;
};

}  // namespace

// Pistache keeps only the first of repeated headers, but a proxy may add its X-Forwarded-For
// line after one the client sent: the lines are joined in order (RFC 9110 list semantics), so
// that the proxy's entry stays last, where the client address is read from.
class ForwardedForStep : public P::Http::Private::Step {
 public:
  ForwardedForStep(P::Http::Request* request, std::unique_ptr<P::Http::Private::Step> headers)
      : Step(request), headers_(std::move(headers)) {}

  P::Http::Private::StepId id() const override { return headers_->id(); }

  P::Http::Private::State apply(P::StreamCursor& cursor) override {
    const char* start = cursor.offset();
    size_t before = cursor;
    auto state = headers_->apply(cursor);
    // The step consumes the whole block or, while it is incomplete, nothing.
    collect(std::string_view(start, size_t(cursor) - before));
    if (state == P::Http::Private::State::Next) {
      if (lines_ > 1) {
        message->headers().remove("X-Forwarded-For");
        message->headers().addRaw(P::Http::Header::Raw("X-Forwarded-For", joined_));
      }
      clear();
    }
    return state;
  }

  void clear() {
    lines_ = 0;
    joined_.clear();
  }

 private:
  void collect(std::string_view bytes) {
    static constexpr std::string_view kName = "x-forwarded-for:";
    // Lines end as Pistache ends them, with CRLF.
    while (!bytes.empty()) {
      auto eol = bytes.find("\r\n");
      auto line = bytes.substr(0, eol);
      bytes = eol == std::string_view::npos ? std::string_view() : bytes.substr(eol + 2);
      if (line.size() < kName.size() || !text::iequals(line.substr(0, kName.size()), kName)) {
        continue;
      }
      auto value = text::trim_ows(line.substr(kName.size()));
      if (value.empty()) continue;
      joined_.append(joined_.empty() ? "" : ", ").append(value);
      ++lines_;
    }
  }

  std::unique_ptr<P::Http::Private::Step> headers_;
  int lines_ = 0;
  std::string joined_;
};

LimitedParser::LimitedParser(size_t max_request, size_t max_body, bool behind_proxies)
    : ParserImpl(max_request) {
  allSteps[2] = std::make_unique<LimitedBodyStep>(&request, std::move(allSteps[2]), max_body);
  if (behind_proxies) {
    auto step = std::make_unique<ForwardedForStep>(&request, std::move(allSteps[1]));
    forwarded_for_ = step.get();
    allSteps[1] = std::move(step);
  }
}

void LimitedParser::reset() {
  ParserImpl::reset();
  if (forwarded_for_ != nullptr) forwarded_for_->clear();
}

}  // namespace pbx::http
