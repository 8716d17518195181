#pragma once

#include <spdlog/formatter.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <string_view>

namespace pbx::log {

// Sets the process-wide logger: text lines or one JSON object per line, on stdout.
void init(const std::string& level, const std::string& format);

// The line format of init ("text" or "json"): every message goes through redact() first.
std::unique_ptr<spdlog::formatter> formatter(const std::string& format);

// The text with the value of every `token` query parameter it quotes ("?token=" or "&token=")
// replaced by "[redacted]": webhook URLs carry the tenant's webhook token, and no line that
// ever quotes one (a URL in an error, a request target) may show it.
std::string redact(std::string_view text);

}  // namespace pbx::log
