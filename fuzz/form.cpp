// Form and query decoding (core/url.hpp): voice requests with a form body, every query string.
// Percent-encoding is lossless for any bytes; decoded form values re-encode to the same
// parameters; then routing::parse_call over them.

#include "call_checks.hpp"
#include "check.hpp"
#include "core/url.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pbx::url;
  auto in = pbx::fuzz::bytes(data, size);
  for (bool plus_is_space : {false, true}) {
    PBX_CHECK(percent_decode(percent_encode(in), plus_is_space) == std::string(in));
    if (auto decoded = percent_decode(in, plus_is_space)) PBX_CHECK(decoded->size() <= in.size());
  }
  auto params = parse_form(in);
  for (const auto& [k, v] : params) PBX_CHECK(!k.empty());
  PBX_CHECK(parse_form(encode_form(params)) == params);
  pbx::fuzz::check_call(params);
  return 0;
}
